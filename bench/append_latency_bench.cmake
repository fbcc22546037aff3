# B4: 64 concurrent single-event appenders vs raw fdatasync (append_latency_bench.cc).
add_executable(append_latency_bench ${CMAKE_CURRENT_LIST_DIR}/append_latency_bench.cc)
target_link_libraries(append_latency_bench PRIVATE ledger_store absl::flags absl::flags_parse
  absl::flags_usage absl::str_format Threads::Threads)
