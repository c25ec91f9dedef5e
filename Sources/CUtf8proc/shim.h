#ifndef INBOX_CUTF8PROC_SHIM_H
#define INBOX_CUTF8PROC_SHIM_H
#include <utf8proc.h>

/* utf8proc_property_t uses bit fields; reading them through a C helper keeps the Swift side simple and fast. */
static inline int cu8_category(utf8proc_int32_t c) { return (int)utf8proc_get_property(c)->category; }
static inline int cu8_boundclass(utf8proc_int32_t c) { return (int)utf8proc_get_property(c)->boundclass; }
#endif
