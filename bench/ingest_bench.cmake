# B1 (issue 6): durable ingest through gRPC (DeclareHires, batches of 1,000) against raw RocksDB
# synced WriteBatches of the same record bytes and against PostgreSQL 15 (synchronous_commit=on)
# inserting the same records in transactions of 1,000. bench/ingest_bench.cc says how.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(DAFTAR_LIBPQ QUIET IMPORTED_TARGET libpq)
endif()
if(DAFTAR_LIBPQ_FOUND)
  set(DAFTAR_LIBPQ_TARGET PkgConfig::DAFTAR_LIBPQ)
else()
  find_path(DAFTAR_LIBPQ_INCLUDE libpq-fe.h PATH_SUFFIXES postgresql)
  find_library(DAFTAR_LIBPQ_LIBRARY pq)
  if(NOT DAFTAR_LIBPQ_INCLUDE OR NOT DAFTAR_LIBPQ_LIBRARY)
    message(FATAL_ERROR "ingest_bench needs PostgreSQL's libpq (libpq-dev): "
                        "bash deploy/install-deps.sh --bench")
  endif()
  add_library(daftar_bench_libpq INTERFACE)
  target_include_directories(daftar_bench_libpq INTERFACE ${DAFTAR_LIBPQ_INCLUDE})
  target_link_libraries(daftar_bench_libpq INTERFACE ${DAFTAR_LIBPQ_LIBRARY})
  set(DAFTAR_LIBPQ_TARGET daftar_bench_libpq)
endif()

add_executable(ingest_bench ${CMAKE_CURRENT_LIST_DIR}/ingest_bench.cc)
target_link_libraries(ingest_bench PRIVATE daftar_grpc_proto gRPC::grpc++ RocksDB::rocksdb-shared
  ${DAFTAR_LIBPQ_TARGET} absl::status absl::statusor absl::strings absl::time Threads::Threads)
