/* The part of Arduino's API that README.txt's Arduino snippet uses, declared as the ESP32
 * core (libraries/WiFiClientSecure/src/WiFiClientSecure.h, espressif/arduino-esp32 2.x/3.x)
 * and PubSubClient 2.8 (knolleary/pubsubclient, src/PubSubClient.h) declare it, so the snippet
 * is compiled with their real method names and parameter types. Neither is in Debian: this
 * checks the snippet against the API, it does not run it. */
#include <stdint.h>
typedef bool boolean;
class Client {
  public:
    virtual ~Client() {}
};
class WiFiClientSecure : public Client {
  public:
    void setCACert(const char *rootCA);
    void setCertificate(const char *client_ca);
    void setPrivateKey(const char *private_key);
};
class PubSubClient {
  public:
    PubSubClient(Client &client);
    PubSubClient &setServer(const char *domain, uint16_t port);
    boolean connect(const char *id);
};
