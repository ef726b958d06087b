/* SPDX-License-Identifier: Apache-2.0 */
/* LPK_ASAN: 1 when this translation unit is built with AddressSanitizer
   (gcc defines __SANITIZE_ADDRESS__, clang answers __has_feature), else 0.
   The update kernels keep one loop under ASan (compile time), and
   test_fpenv runs a smaller matrix there. */
#ifndef LPK_ASAN_H
#define LPK_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define LPK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LPK_ASAN 1
#endif
#endif
#ifndef LPK_ASAN
#define LPK_ASAN 0
#endif

#endif
