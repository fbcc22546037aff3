# B2 (rebuild part): time to fold every projection from position 0 (rebuild_bench.cc).
add_executable(rebuild_bench ${CMAKE_CURRENT_LIST_DIR}/rebuild_bench.cc)
target_link_libraries(rebuild_bench PRIVATE ledger ledger_projections absl::flags
  absl::flags_parse absl::flags_usage absl::str_format)
