#ifndef INBOX_CNCURSESW_SHIM_H
#define INBOX_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/ncurses.h>

/* Macros and C globals are not visible to Swift as functions; expose the few the painter needs. */
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline int cnc_key_resize(void) { return KEY_RESIZE; }
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_italic(void) { return A_ITALIC; }
/* Writes one grapheme cluster (already sanitized, NUL-terminated wide string) with attributes and a colour pair. */
static inline int cnc_put_cluster(int y, int x, const wchar_t *wcs, attr_t attrs, int pair) {
    cchar_t cell;
    if (setcchar(&cell, wcs, attrs, (short)0, &pair) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}
static inline void cnc_set_locale(void) { setlocale(LC_ALL, ""); }
/* One cell holding a whole joined sequence (an emoji ZWJ sequence: 👩🏽‍⚕️), for terminals that draw it as one glyph.
   setcchar keeps only the zero-width characters after the first spacing one, so the rest of the sequence (up to
   CCHARW_MAX characters in all) is copied into the cell after it; ncurses advances by the first character's width
   and writes every character of the cell when it paints it. */
static inline int cnc_put_joined_cluster(int y, int x, const wchar_t *wcs, attr_t attrs, int pair) {
    cchar_t cell;
    wchar_t first[2] = { wcs[0], 0 };
    if (setcchar(&cell, first, attrs, (short)0, &pair) != OK) return ERR;
    for (int i = 1; i < CCHARW_MAX && wcs[i] != 0; ++i) cell.chars[i] = wcs[i];
    return mvadd_wch(y, x, &cell);
}

/* ---- Added for the painter (NcursesPainter.swift is the only Swift caller). ---- */
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <term.h>

/* setlocale from the environment; if that is not UTF-8, fall back to C.UTF-8 so ncursesw can draw wide text.
   Returns 1 when the resulting LC_CTYPE is UTF-8. */
static inline int cnc_ensure_utf8_locale(void) {
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    if (cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0)) return 1;
    if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) return 1;
    return 0;
}

/* newterm on the process's stdout/stdin (the C globals are not concurrency-safe to touch from Swift 6). */
static inline SCREEN *cnc_newterm_stdio(void) { return newterm(NULL, stdout, stdin); }

/* libc's idea of a character's width: what ncurses uses to advance the cursor. */
static inline int cnc_wcwidth(wchar_t c) { return wcwidth(c); }

static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline int cnc_key_code_yes(void) { return KEY_CODE_YES; }

/* A terminfo string capability, or NULL when absent or not a string (tigetstr returns (char *)-1 then). */
static inline const char *cnc_string_cap(const char *name) {
    char *s = tigetstr(name);
    if (s == NULL || s == (char *)-1) return NULL;
    return s;
}
/* "to status line" expanded for column 0 (tsl may take a parameter). NULL when the terminal has none. */
static inline const char *cnc_tsl(void) {
    const char *tsl = cnc_string_cap("tsl");
    if (tsl == NULL) return NULL;
    return tiparm(tsl, 0);
}

/* After endwin (e.g. while $EDITOR ran) a resize can be missed (neomutt PR #3981): ask the tty, and if it differs
   from LINES/COLS resize ncurses. Returns 1 if the size changed. */
static inline int cnc_sync_size(void) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return 0;
    if (ws.ws_row == LINES && ws.ws_col == COLS) return 0;
    resizeterm(ws.ws_row, ws.ws_col);
    return 1;
}

/* Terminal restore on fatal signals: endwin, then the previous disposition runs (default: terminate or core dump;
   or e.g. the Swift runtime's backtracer). In C because it runs in signal context. */
static inline struct sigaction *cnc_previous_actions(void) {
    static struct sigaction actions[32];
    return actions;
}
/* Terminal modes the painter turned on beyond curses' own, undone by every restore path (also in signal context,
   hence plain static strings and write(2)): bracketed paste, and clearing the screen on terminals without an
   alternate screen so patient text does not stay behind. */
static inline int *cnc_paste_mode_flag(void) { static int on = 0; return &on; }
static inline const char **cnc_exit_clear(void) { static const char *clear = NULL; return &clear; }
static inline void cnc_write_all(const char *s) {
    if (s == NULL) return;
    size_t n = strlen(s);
    while (n > 0) { ssize_t w = write(STDOUT_FILENO, s, n); if (w <= 0) return; s += w; n -= (size_t)w; }
}
static inline const char **cnc_paste_off_sequence(void) { static const char *off = "\033[?2004l"; return &off; }
static inline void cnc_undo_terminal_modes(void) {
    if (*cnc_paste_mode_flag()) { cnc_write_all(*cnc_paste_off_sequence()); *cnc_paste_mode_flag() = 0; }
}
/* Turns bracketed paste on (`on`: terminfo BE) or off (BD), remembering it for the restore paths. */
static inline void cnc_set_paste_mode(int enable, const char *on, const char *off) {
    if (off != NULL) *cnc_paste_off_sequence() = off;
    if (enable && !*cnc_paste_mode_flag()) { cnc_write_all(on); *cnc_paste_mode_flag() = 1; }
    if (!enable) cnc_undo_terminal_modes();
}
/* Remembers the clear-screen string for exit (NULL: leave the screen alone). */
static inline void cnc_set_exit_clear(const char *clear) { *cnc_exit_clear() = clear; }

static inline void cnc_restore_and_reraise(int sig) {
    cnc_undo_terminal_modes();
    endwin();
    cnc_write_all(*cnc_exit_clear());
    if (sig > 0 && sig < 32) sigaction(sig, &cnc_previous_actions()[sig], NULL);
    else signal(sig, SIG_DFL);
    raise(sig);
}
static inline void cnc_install_restore_handlers(void) {
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = cnc_restore_and_reraise;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sigs[i], &sa, &cnc_previous_actions()[sigs[i]]);
    }
}
static inline void cnc_endwin_at_exit(void) {
    cnc_undo_terminal_modes();
    if (!isendwin()) { endwin(); cnc_write_all(*cnc_exit_clear()); }
}
static inline void cnc_register_exit_restore(void) { atexit(cnc_endwin_at_exit); }
/* While a child (the $EDITOR) owns the terminal in the client's own process group: the client ignores SIGINT and
   SIGQUIT, as system(3) does, so Ctrl-C reaches only the editor; and SIGTSTP takes its default action, so Ctrl-Z
   stops the editor and the client together as one job (ncurses' own handler would repaint the client over the
   editor on `fg`). The previous dispositions are put back afterwards. */
static inline struct sigaction *cnc_child_saved_actions(void) { static struct sigaction saved[3]; return saved; }
static inline void cnc_child_signals_begin(void) {
    struct sigaction ignore, dfl;
    memset(&ignore, 0, sizeof ignore); ignore.sa_handler = SIG_IGN; sigemptyset(&ignore.sa_mask);
    memset(&dfl, 0, sizeof dfl); dfl.sa_handler = SIG_DFL; sigemptyset(&dfl.sa_mask);
    sigaction(SIGINT, &ignore, &cnc_child_saved_actions()[0]);
    sigaction(SIGQUIT, &ignore, &cnc_child_saved_actions()[1]);
    sigaction(SIGTSTP, &dfl, &cnc_child_saved_actions()[2]);
}
static inline void cnc_child_signals_end(void) {
    sigaction(SIGINT, &cnc_child_saved_actions()[0], NULL);
    sigaction(SIGQUIT, &cnc_child_saved_actions()[1], NULL);
    sigaction(SIGTSTP, &cnc_child_saved_actions()[2], NULL);
}
/* Input typed while the terminal was handed over (e.g. while the editor ran) is thrown away, never replayed:
   the tty's queue and ncurses' own read-ahead. */
static inline void cnc_discard_typed_input(void) { tcflush(STDIN_FILENO, TCIFLUSH); flushinp(); }
#endif
