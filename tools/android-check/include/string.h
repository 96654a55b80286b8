/* Declarations only: lets `cargo check` compile ring's C for Android targets without the NDK
   (nothing is linked). See scripts/check-android. */
#ifndef PROOF_RAMP_STUB_STRING_H
#define PROOF_RAMP_STUB_STRING_H
#include <stddef.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#endif
