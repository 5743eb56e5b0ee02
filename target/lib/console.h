/* Line console (portable C): bounded line input with backspace, a command table, and
 * counters for every drop path. Output goes through a write callback; every reply is a
 * full line ending in "\r\n". */
#ifndef LIB_CONSOLE_H
#define LIB_CONSOLE_H
#include <stddef.h>
#include <stdint.h>

#define CON_LINE_MAX 512   /* characters per line, without the terminator */
#define CON_PROMPT "> "
#define CON_EOL "\r\n"

struct con;
/* args: the rest of the line after the command word and the spaces that follow it. */
typedef void (*con_cmd_fn)(struct con *con, const char *args);

typedef struct con_cmd {
    const char *name;
    const char *usage;   /* e.g. "N TEXT" */
    const char *help;
    con_cmd_fn fn;
} con_cmd_t;

typedef void (*con_write_fn)(void *ctx, const char *s, size_t len);

typedef struct con_config {
    const con_cmd_t *cmds;
    size_t ncmds;
    con_write_fn write;
    void *write_ctx;
    int echo;            /* echo typed characters (terminal use) */
} con_config_t;

typedef struct con_stats {
    uint32_t lines;      /* lines executed (including empty ones) */
    uint32_t bad_lines;  /* overlong lines discarded (err line-too-long) */
    uint32_t garbage;    /* non-printable bytes ignored */
} con_stats_t;

typedef struct con {
    const con_config_t *cfg;
    char line[CON_LINE_MAX + 1];
    size_t len;
    int overflow;        /* current line exceeded CON_LINE_MAX: discard until EOL */
    int last_cr;         /* previous byte was CR (so a following LF is not a new line) */
    con_stats_t stats;
} con_t;

void con_init(con_t *con, const con_config_t *cfg);
void con_prompt(con_t *con);
void con_feed(con_t *con, int byte);          /* one received byte */
void con_exec(con_t *con, const char *line);  /* run one complete line */
void con_reply(con_t *con, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void con_write(con_t *con, const char *s, size_t len);

#endif
