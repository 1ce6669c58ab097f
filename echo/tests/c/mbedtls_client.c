/* A device's firmware in miniature, on the library ESP-IDF, Arduino and Zephyr use: mbedTLS
 * parses the certificate, key and CA chain from the kit's generated C header (included with
 * -include), connects over mutual TLS to 127.0.0.1:PORT (checking the server's name,
 * `localhost`), asks certlab-echo's GET /info and prints the answer. The three parse calls are
 * not written here: the test splices in the lines README.txt prints (README_CALLS), so the
 * printed snippet is what runs. Exit 0 only when everything succeeded. */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, int rc) {
    char buf[256];
    mbedtls_strerror(rc, buf, sizeof buf);
    fprintf(stderr, "%s failed: -0x%04x %s\n", what, (unsigned)-rc, buf);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca, crt;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    int rc;
    mbedtls_net_init(&net);
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&key);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    if ((rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0)) != 0)
        fail("seeding the DRBG", rc);

    /* README_CALLS */

    if ((rc = mbedtls_net_connect(&net, "127.0.0.1", argv[1], MBEDTLS_NET_PROTO_TCP)) != 0)
        fail("connect", rc);
    if ((rc = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        fail("ssl_config_defaults", rc);
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    if ((rc = mbedtls_ssl_conf_own_cert(&conf, &crt, &key)) != 0) fail("ssl_conf_own_cert", rc);
    if ((rc = mbedtls_ssl_setup(&ssl, &conf)) != 0) fail("ssl_setup", rc);
    if ((rc = mbedtls_ssl_set_hostname(&ssl, "localhost")) != 0) fail("ssl_set_hostname", rc);
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
    while ((rc = mbedtls_ssl_handshake(&ssl)) != 0)
        if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) {
            uint32_t flags = mbedtls_ssl_get_verify_result(&ssl);
            if (flags) {
                char why[512];
                mbedtls_x509_crt_verify_info(why, sizeof why, "  ", flags);
                fprintf(stderr, "server certificate:\n%s", why);
            }
            fail("handshake", rc);
        }
    printf("handshake: %s %s\n", mbedtls_ssl_get_version(&ssl), mbedtls_ssl_get_ciphersuite(&ssl));

    const char *req = "GET /info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    size_t sent = 0;
    while (sent < strlen(req)) {
        rc = mbedtls_ssl_write(&ssl, (const unsigned char *)req + sent, strlen(req) - sent);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        if (rc < 0) fail("ssl_write", rc);
        sent += (size_t)rc;
    }
    unsigned char buf[4096];
    for (;;) {
        rc = mbedtls_ssl_read(&ssl, buf, sizeof buf - 1);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) break;
        if (rc < 0) fail("ssl_read", rc);
        fwrite(buf, 1, (size_t)rc, stdout);
    }
    mbedtls_ssl_close_notify(&ssl);
    mbedtls_net_free(&net);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&ca);
    mbedtls_x509_crt_free(&crt);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return 0;
}
