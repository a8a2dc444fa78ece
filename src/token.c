#include <string.h>

#include <sodium.h>

#include "token.h"

/*
 * HMAC keyed with the site secret, before any message: each MAC starts
 * from a copy, which saves hashing the padded key twice per MAC (a third
 * of a MAC's work, two MACs in every sign-up).
 */
static crypto_auth_hmacsha512256_state keyed;

int token_init(const unsigned char s[TOKEN_SECRET_LEN])
{
	if (sodium_init() < 0)
		return -1;
	crypto_auth_hmacsha512256_init(&keyed, s, TOKEN_SECRET_LEN);
	return 0;
}

/* MAC of the first 24 bytes of a form token and its purpose, 16 bytes. */
static void form_mac(const unsigned char body[24], const char *purpose,
    unsigned char mac[16])
{
	unsigned char full[crypto_auth_hmacsha512256_BYTES];
	crypto_auth_hmacsha512256_state st = keyed;

	crypto_auth_hmacsha512256_update(&st, body, 24);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)purpose,
	    strlen(purpose));
	crypto_auth_hmacsha512256_final(&st, full);
	memcpy(mac, full, 16);
}

void token_form_new(char out[TOKEN_FORM_HEX + 1], int64_t now, const char *purpose)
{
	unsigned char raw[40];
	int i;

	for (i = 0; i < 8; i++)
		raw[i] = (unsigned char)((uint64_t)now >> (56 - 8 * i));
	randombytes_buf(raw + 8, 16);
	form_mac(raw, purpose, raw + 24);
	sodium_bin2hex(out, TOKEN_FORM_HEX + 1, raw, sizeof(raw));
}

/* Decode exactly n bytes of lower-case hex; -1 if s is anything else. */
static int unhex(const char *s, unsigned char *out, size_t n)
{
	size_t len;

	if (strlen(s) != 2 * n || strspn(s, "0123456789abcdef") != 2 * n)
		return -1;
	return sodium_hex2bin(out, n, s, 2 * n, NULL, &len, NULL) == 0 && len == n ? 0 : -1;
}

enum token_check token_form_check(const char *tok, int64_t now, const char *purpose)
{
	unsigned char raw[40], mac[16];
	uint64_t issued = 0;
	int i;

	if (unhex(tok, raw, sizeof(raw)) != 0)
		return TOKEN_MALFORMED;
	form_mac(raw, purpose, mac);
	if (sodium_memcmp(mac, raw + 24, 16) != 0)
		return TOKEN_MALFORMED;
	for (i = 0; i < 8; i++)
		issued = issued << 8 | raw[i];
	/* A clock set back a little (NTP, a VM restored) must not refuse fresh forms. */
	if ((int64_t)issued > now + TOKEN_FORM_SKEW || now - (int64_t)issued > TOKEN_FORM_TTL)
		return TOKEN_EXPIRED;
	return TOKEN_OK;
}

void token_manage_of(const char *form_tok, char out[TOKEN_MANAGE_HEX + 1])
{
	unsigned char full[crypto_auth_BYTES];
	crypto_auth_hmacsha512256_state st = keyed;

	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)"manage:", 7);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)form_tok,
	    strlen(form_tok));
	crypto_auth_hmacsha512256_final(&st, full);
	sodium_bin2hex(out, TOKEN_MANAGE_HEX + 1, full, TOKEN_MANAGE_HEX / 2);
}

void token_manage_new(char out[TOKEN_MANAGE_HEX + 1])
{
	unsigned char raw[TOKEN_MANAGE_HEX / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, TOKEN_MANAGE_HEX + 1, raw, sizeof(raw));
}

int token_manage_valid(const char *s)
{
	return strlen(s) == TOKEN_MANAGE_HEX &&
	    strspn(s, "0123456789abcdef") == TOKEN_MANAGE_HEX;
}

void token_hash(const char *tok, unsigned char out[TOKEN_HASH_LEN])
{
	crypto_generichash(out, TOKEN_HASH_LEN, (const unsigned char *)tok,
	    strlen(tok), NULL, 0);
}
