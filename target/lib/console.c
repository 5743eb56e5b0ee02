/* Line console, see console.h. Accepts CR, LF or CRLF as end of line; BS/DEL erase one
 * character; printable ASCII (0x20..0x7E) is stored; anything else is counted in
 * stats.garbage and ignored. An overlong line is discarded whole: the rest of it is
 * skipped, then "err line-too-long" is replied and stats.bad_lines counted. The built-in
 * "help" lists the table. */
#include "lib/console.h"
#include <stdarg.h>
#include "lib/printf.h"
#include "lib/kstring.h" /* memcpy & co: ours in the firmware, libc on the host */

#define CON_BS 0x08
#define CON_DEL 0x7F
#define CON_REPLY_MAX 256
#define CON_WORD_MAX 32   /* unknown command names are echoed back truncated to this */

void con_init(con_t *con, const con_config_t *cfg)
{
    memset(con, 0, sizeof *con);
    con->cfg = cfg;
}

void con_write(con_t *con, const char *s, size_t len)
{
    con->cfg->write(con->cfg->write_ctx, s, len);
}

static void con_puts(con_t *con, const char *s)
{
    con_write(con, s, strlen(s));
}

void con_prompt(con_t *con)
{
    con_puts(con, CON_PROMPT);
}

void con_reply(con_t *con, const char *fmt, ...)
{
    char buf[CON_REPLY_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof buf - 3)
        n = (int)(sizeof buf - 3); /* truncated: still a full line */
    buf[n++] = '\r';
    buf[n++] = '\n';
    con_write(con, buf, (size_t)n);
}

static void con_help(con_t *con)
{
    for (size_t i = 0; i < con->cfg->ncmds; i++) {
        const con_cmd_t *c = &con->cfg->cmds[i];
        con_reply(con, "help %s%s%s - %s", c->name, c->usage[0] ? " " : "", c->usage, c->help);
    }
    con_reply(con, "help help - this list");
}

void con_exec(con_t *con, const char *line)
{
    const char *p = line, *w;
    size_t wlen;

    while (*p == ' ')
        p++;
    if (!*p)
        return;
    w = p;
    while (*p && *p != ' ')
        p++;
    wlen = (size_t)(p - w);
    while (*p == ' ')
        p++;

    if (wlen == 4 && !strncmp(w, "help", 4)) {
        con_help(con);
        return;
    }
    for (size_t i = 0; i < con->cfg->ncmds; i++) {
        const con_cmd_t *c = &con->cfg->cmds[i];
        if (strlen(c->name) == wlen && !strncmp(c->name, w, wlen)) {
            c->fn(con, p);
            return;
        }
    }
    con_reply(con, "err unknown-command %.*s", (int)(wlen > CON_WORD_MAX ? CON_WORD_MAX : wlen), w);
}

static void con_end_of_line(con_t *con)
{
    if (con->cfg->echo)
        con_puts(con, CON_EOL);
    if (con->overflow) {
        con->stats.bad_lines++;
        con_reply(con, "err line-too-long");
    } else {
        con->line[con->len] = '\0';
        con->stats.lines++;
        con_exec(con, con->line);
    }
    con->len = 0;
    con->overflow = 0;
    con_prompt(con);
}

void con_feed(con_t *con, int byte)
{
    unsigned char c = (unsigned char)byte;
    int was_cr = con->last_cr;

    con->last_cr = (c == '\r');
    if (c == '\r' || c == '\n') {
        if (c == '\n' && was_cr)
            return; /* CRLF: the CR already ended the line */
        con_end_of_line(con);
        return;
    }
    if (c == CON_BS || c == CON_DEL) {
        if (!con->overflow && con->len > 0) {
            con->len--;
            if (con->cfg->echo)
                con_puts(con, "\b \b");
        }
        return;
    }
    if (c < 0x20 || c > 0x7E) {
        con->stats.garbage++;
        return;
    }
    if (con->overflow)
        return;
    if (con->len >= CON_LINE_MAX) {
        con->overflow = 1;
        return;
    }
    con->line[con->len++] = (char)c;
    if (con->cfg->echo)
        con_write(con, (const char *)&c, 1);
}
