/* The part of ESP-IDF 5's esp-mqtt API (components/mqtt/esp-mqtt/include/mqtt_client.h,
 * espressif/esp-mqtt v1.x) that README.txt's ESP-IDF snippet uses, declared as ESP-IDF
 * declares it, so the snippet is compiled with its real field names and types. ESP-IDF
 * itself is not in Debian: this checks the snippet against the API, it does not run it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef int esp_err_t;
typedef enum { MQTT_TRANSPORT_UNKNOWN = 0, MQTT_TRANSPORT_OVER_TCP, MQTT_TRANSPORT_OVER_SSL } esp_mqtt_transport_t;
struct psk_key_hint;
typedef struct esp_mqtt_client *esp_mqtt_client_handle_t;
typedef struct esp_mqtt_client_config_t {
    struct broker_t {
        struct address_t {
            const char *uri;
            const char *hostname;
            esp_mqtt_transport_t transport;
            const char *path;
            uint32_t port;
        } address;
        struct verification_t {
            bool use_global_ca_store;
            esp_err_t (*crt_bundle_attach)(void *conf);
            const char *certificate;
            size_t certificate_len;
            const struct psk_key_hint *psk_hint_key;
            bool skip_cert_common_name_check;
            const char **alpn_protos;
            const char *common_name;
        } verification;
    } broker;
    struct credentials_t {
        const char *username;
        const char *client_id;
        bool set_null_client_id;
        struct authentication_t {
            const char *password;
            const char *certificate;
            size_t certificate_len;
            const char *key;
            size_t key_len;
            const char *key_password;
            int key_password_len;
            bool use_secure_element;
            void *ds_data;
        } authentication;
    } credentials;
} esp_mqtt_client_config_t;
esp_mqtt_client_handle_t esp_mqtt_client_init(const esp_mqtt_client_config_t *config);
