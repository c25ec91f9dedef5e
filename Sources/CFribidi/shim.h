#ifndef INBOX_CFRIBIDI_SHIM_H
#define INBOX_CFRIBIDI_SHIM_H
#include <fribidi/fribidi.h>

/* FriBidi's paragraph types and type predicates are macros built from bit masks, which Swift cannot import;
   these wrappers expose the few the line reorderer needs. */
static inline FriBidiParType cfb_par_on(void) { return FRIBIDI_PAR_ON; }
static inline FriBidiParType cfb_par_ltr(void) { return FRIBIDI_PAR_LTR; }
static inline FriBidiParType cfb_par_rtl(void) { return FRIBIDI_PAR_RTL; }
static inline int cfb_level_is_rtl(FriBidiLevel level) { return FRIBIDI_LEVEL_IS_RTL(level) ? 1 : 0; }
/* Line reordering without moving non-spacing marks: the caller reorders whole grapheme clusters itself. */
static inline FriBidiFlags cfb_reorder_flags(void) { return 0; }
#endif
