// What every fuzz target shares: FUZZ_CHECK, an invariant that aborts the run (a finding) when
// it fails, with a line on stderr saying which. libFuzzer then writes the input to crash-<sha1>.
#ifndef DAFTAR_FUZZ_FUZZ_CHECK_H_
#define DAFTAR_FUZZ_FUZZ_CHECK_H_

#include <cstdio>

#define FUZZ_CHECK(condition, what)                                                     \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, \
                   (what), #condition);                                                 \
      __builtin_trap();                                                                 \
    }                                                                                   \
  } while (0)

#endif  // DAFTAR_FUZZ_FUZZ_CHECK_H_
