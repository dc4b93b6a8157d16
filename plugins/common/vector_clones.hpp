#pragma once
// GR_VECTOR_CLONES: a function compiled three times, for x86-64-v4 (AVX-512), x86-64-v3
// (AVX2) and any x86-64, the best one the CPU runs chosen when the library loads (GCC's
// target_clones: an ifunc). For loops over whole columns, where vector units take 4 or 8
// values at once, while the package stays built for any x86-64. Elsewhere (other compilers
// or CPUs, and under sanitizers, whose run time starts after ifuncs resolve) a plain function.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define GR_VECTOR_CLONES [[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#else
#define GR_VECTOR_CLONES
#endif
