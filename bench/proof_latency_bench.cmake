# B5: inclusion and consistency proof latency at 10 M records (proof_latency_bench.cc).
add_executable(proof_latency_bench ${CMAKE_CURRENT_LIST_DIR}/proof_latency_bench.cc)
target_link_libraries(proof_latency_bench PRIVATE ledger_store absl::flags absl::flags_parse
  absl::flags_usage absl::str_format)
