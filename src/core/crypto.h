/* core/crypto.h - hashes, HMAC, AEAD, randomness and encodings over OpenSSL libcrypto */
#ifndef AR_CORE_CRYPTO_H
#define AR_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define AR_SHA256_LEN	  32
#define AR_SHA256_HEX_LEN 64

/* One-shot digests into raw bytes. */
void ar_sha256(unsigned char out[32], const void *data, size_t len);
void ar_hmac_sha256(unsigned char out[32], const void *key, size_t key_len, const void *data, size_t len);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void ar_hex(char *out, const unsigned char *in, size_t n);

/* Parses exactly 2n hex digits into out; false on a bad digit or length. */
bool ar_unhex(unsigned char *out, const char *hex, size_t n);

/* Constant-time comparison of two equal-length byte strings. */
bool ar_ct_equal(const void *a, const void *b, size_t n);

/* Constant-time comparison of two strings of possibly different lengths (length leaks, content does not). */
bool ar_ct_streq(const char *a, const char *b);

/* n cryptographically random bytes; aborts if the system RNG fails. */
void ar_random(void *out, size_t n);

/* Every digest an asset carries, computed in one pass while bytes stream in. */
struct ar_hasher;
struct ar_hashes {
	char md5[33];
	char sha1[41];
	char sha256[65];
	char sha512[129];
	uint64_t size;
};
struct ar_hasher *ar_hasher_new(void);
void ar_hasher_update(struct ar_hasher *h, const void *data, size_t len);
/* Finishes into out and frees h. */
void ar_hasher_final(struct ar_hasher *h, struct ar_hashes *out);
/* Frees an unfinished hasher. NULL is ok. */
void ar_hasher_free(struct ar_hasher *h);

/* base64 (standard, padded) and base64url (no padding); results owned by the arena. */
char *ar_b64_encode(struct ar_arena *a, const void *in, size_t len);
char *ar_b64url_encode(struct ar_arena *a, const void *in, size_t len);
/* Decode into arena memory; NULL on malformed input. Both accept missing padding. */
unsigned char *ar_b64_decode(struct ar_arena *a, const char *in, size_t in_len, size_t *out_len);
unsigned char *ar_b64url_decode(struct ar_arena *a, const char *in, size_t in_len, size_t *out_len);

/* AES-256-GCM with a random 12-byte nonce; sealed = nonce || ciphertext || tag (len + 28 bytes). */
#define AR_AEAD_OVERHEAD 28
int ar_aead_seal(unsigned char *sealed, const unsigned char key[32], const void *plain, size_t len);
/* Opens sealed (sealed_len >= 28) into plain (sealed_len - 28 bytes); AR_EINVAL if tampered. */
int ar_aead_open(unsigned char *plain, const unsigned char key[32], const unsigned char *sealed, size_t sealed_len);

#endif
