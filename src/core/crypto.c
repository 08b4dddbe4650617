/* core/crypto.c - hashes, HMAC, AEAD, randomness and encodings over OpenSSL libcrypto */
#include "core/crypto.h"

#include "core/err.h"
#include "core/mem.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ar_sha256(unsigned char out[32], const void *data, size_t len)
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void ar_hmac_sha256(unsigned char out[32], const void *key, size_t key_len, const void *data, size_t len)
{
	unsigned int n = 32;
	HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n);
}

void ar_hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool ar_unhex(unsigned char *out, const char *hex, size_t n)
{
	if (strlen(hex) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

bool ar_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

bool ar_ct_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* Compare against itself when lengths differ so the time depends only on la. */
	bool same = ar_ct_equal(a, la == lb ? b : a, la);
	return same && la == lb;
}

void ar_random(void *out, size_t n)
{
	if (RAND_bytes(out, (int)n) != 1) {
		fprintf(stderr, "arca: system random generator failed\n");
		abort();
	}
}

struct ar_hasher {
	EVP_MD_CTX *md5, *sha1, *sha256, *sha512;
	uint64_t size;
};

static EVP_MD_CTX *md_new(const EVP_MD *md)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, md, NULL) != 1) {
		fprintf(stderr, "arca: digest init failed\n");
		abort();
	}
	return c;
}

struct ar_hasher *ar_hasher_new(void)
{
	struct ar_hasher *h = ar_xcalloc(1, sizeof *h);
	h->md5 = md_new(EVP_md5());
	h->sha1 = md_new(EVP_sha1());
	h->sha256 = md_new(EVP_sha256());
	h->sha512 = md_new(EVP_sha512());
	return h;
}

void ar_hasher_update(struct ar_hasher *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->md5, data, len);
	EVP_DigestUpdate(h->sha1, data, len);
	EVP_DigestUpdate(h->sha256, data, len);
	EVP_DigestUpdate(h->sha512, data, len);
	h->size += len;
}

static void md_final(EVP_MD_CTX *c, char *hex)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_DigestFinal_ex(c, raw, &n);
	ar_hex(hex, raw, n);
}

void ar_hasher_final(struct ar_hasher *h, struct ar_hashes *out)
{
	md_final(h->md5, out->md5);
	md_final(h->sha1, out->sha1);
	md_final(h->sha256, out->sha256);
	md_final(h->sha512, out->sha512);
	out->size = h->size;
	ar_hasher_free(h);
}

void ar_hasher_free(struct ar_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->md5);
	EVP_MD_CTX_free(h->sha1);
	EVP_MD_CTX_free(h->sha256);
	EVP_MD_CTX_free(h->sha512);
	free(h);
}

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64_encode(struct ar_arena *a, const unsigned char *in, size_t len, const char *alphabet, bool pad)
{
	size_t out_len = (len + 2) / 3 * 4;
	char *out = ar_alloc(a, out_len + 1), *p = out;
	size_t i = 0;
	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*p++ = alphabet[v >> 18 & 63];
		*p++ = alphabet[v >> 12 & 63];
		*p++ = alphabet[v >> 6 & 63];
		*p++ = alphabet[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
		*p++ = alphabet[v >> 18 & 63];
		*p++ = alphabet[v >> 12 & 63];
		if (i + 1 < len)
			*p++ = alphabet[v >> 6 & 63];
		else if (pad)
			*p++ = '=';
		if (pad)
			*p++ = '=';
	}
	*p = '\0';
	return out;
}

char *ar_b64_encode(struct ar_arena *a, const void *in, size_t len)
{
	return b64_encode(a, in, len, b64_std, true);
}

char *ar_b64url_encode(struct ar_arena *a, const void *in, size_t len)
{
	return b64_encode(a, in, len, b64_url, false);
}

static int b64_value(char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

static unsigned char *b64_decode(struct ar_arena *a, const char *in, size_t len, size_t *out_len, bool url)
{
	while (len > 0 && in[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return NULL;
	unsigned char *out = ar_alloc(a, len / 4 * 3 + 3), *p = out;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(in[i], url);
		if (v < 0)
			return NULL;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*p++ = (unsigned char)(acc >> bits);
		}
	}
	*out_len = (size_t)(p - out);
	return out;
}

unsigned char *ar_b64_decode(struct ar_arena *a, const char *in, size_t in_len, size_t *out_len)
{
	return b64_decode(a, in, in_len, out_len, false);
}

unsigned char *ar_b64url_decode(struct ar_arena *a, const char *in, size_t in_len, size_t *out_len)
{
	return b64_decode(a, in, in_len, out_len, true);
}

int ar_aead_seal(unsigned char *sealed, const unsigned char key[32], const void *plain, size_t len)
{
	unsigned char *nonce = sealed, *ct = sealed + 12, *tag = sealed + 12 + len;
	ar_random(nonce, 12);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
			EVP_EncryptUpdate(c, ct, &n, plain, (int)len) == 1 && EVP_EncryptFinal_ex(c, ct + n, &n) == 1 &&
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : AR_ERROR;
}

int ar_aead_open(unsigned char *plain, const unsigned char key[32], const unsigned char *sealed, size_t sealed_len)
{
	if (sealed_len < AR_AEAD_OVERHEAD)
		return AR_EINVAL;
	size_t len = sealed_len - AR_AEAD_OVERHEAD;
	unsigned char tag[16];
	memcpy(tag, sealed + 12 + len, 16);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, sealed) == 1 &&
			EVP_DecryptUpdate(c, plain, &n, sealed + 12, (int)len) == 1 &&
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 &&
			EVP_DecryptFinal_ex(c, plain + n, &n) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : AR_EINVAL;
}
