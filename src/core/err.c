/* core/err.c - error records */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

int ar_fail(struct ar_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

void ar_err_clear(struct ar_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

const char *ar_code_name(int code)
{
	switch (code) {
	case AR_OK: return "OK";
	case AR_ENOTFOUND: return "ENOTFOUND";
	case AR_EEXISTS: return "EEXISTS";
	case AR_EINVAL: return "EINVAL";
	case AR_EDENIED: return "EDENIED";
	case AR_ETOOBIG: return "ETOOBIG";
	case AR_ECONFLICT: return "ECONFLICT";
	case AR_EAUTH: return "EAUTH";
	case AR_EQUOTA: return "EQUOTA";
	case AR_EUNAVAIL: return "EUNAVAIL";
	case AR_ETIMEOUT: return "ETIMEOUT";
	default: return "ERROR";
	}
}
