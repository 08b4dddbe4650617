/* core/log.h - leveled logging to stderr; never pass secrets */
#ifndef AR_CORE_LOG_H
#define AR_CORE_LOG_H

enum ar_log_level { AR_LOG_DEBUG, AR_LOG_INFO, AR_LOG_WARN, AR_LOG_ERROR };

/* Sets the minimum level written; default INFO. */
void ar_log_set_level(enum ar_log_level level);

/* Parses "debug|info|warn|error"; returns -1 when unknown. */
int ar_log_parse_level(const char *s);

/* Writes one timestamped line to stderr (thread-safe, one write per line). */
void ar_log(enum ar_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ar_debug(...) ar_log(AR_LOG_DEBUG, __VA_ARGS__)
#define ar_info(...)  ar_log(AR_LOG_INFO, __VA_ARGS__)
#define ar_warn(...)  ar_log(AR_LOG_WARN, __VA_ARGS__)
#define ar_error(...) ar_log(AR_LOG_ERROR, __VA_ARGS__)

#endif
