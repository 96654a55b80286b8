/* Declaration-only stand-in for the iOS SDK's TargetConditionals.h, so ring's C compiles for
 * aarch64-apple-ios(-sim) with Debian's clang in scripts/check-ios. Nothing is linked. */
#pragma once
#define TARGET_OS_IPHONE 1
#define TARGET_OS_IOS 1
#define TARGET_OS_OSX 0
#define TARGET_OS_MAC 1
