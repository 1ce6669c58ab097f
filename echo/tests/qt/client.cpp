// The one Qt program of the tests (echo/tests/qt.rs): each function below is the kit's Qt
// snippet, included verbatim (the test writes one_way.inc, two_way_ec.inc,
// two_way_ec_encrypted.inc and two_way_rsa.inc from certlab::snippets), followed by one
// HTTP request for certlab-echo's /info over the QSslSocket `socket` the snippet made. Run in the kit's folder: `qt_client two_way_ec`.
#include <QCoreApplication>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <cstdio>
#include <cstring>

// Waits for the handshake, asks for /info, prints the answer; 0 when certlab-echo answered.
static int finish(QSslSocket &socket) {
    if (!socket.waitForEncrypted(60000)) {
        std::fprintf(stderr, "handshake failed: %s\n", qPrintable(socket.errorString()));
        for (const QSslError &e : socket.sslHandshakeErrors())
            std::fprintf(stderr, "  %s\n", qPrintable(e.errorString()));
        return 1;
    }
    std::printf("protocol %d, server %s\n", int(socket.sessionProtocol()),
                qPrintable(socket.peerCertificate().subjectDisplayName()));
    socket.write("GET /info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    while (socket.waitForReadyRead(60000)) answer += socket.readAll();
    answer += socket.readAll();
    std::fwrite(answer.constData(), 1, size_t(answer.size()), stdout);
    if (!answer.startsWith("HTTP/1.1 200")) {
        std::fprintf(stderr, "no answer: %s\n", qPrintable(socket.errorString()));
        return 1;
    }
    return 0;
}

static int one_way() {
#include "one_way.inc"
    return finish(socket);
}

static int two_way_ec() {
#include "two_way_ec.inc"
    return finish(socket);
}

static int two_way_ec_encrypted() {
#include "two_way_ec_encrypted.inc"
    return finish(socket);
}

static int two_way_rsa() {
#include "two_way_rsa.inc"
    return finish(socket);
}

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    const char *which = argc > 1 ? argv[1] : "";
    if (!std::strcmp(which, "one_way")) return one_way();
    if (!std::strcmp(which, "two_way_ec")) return two_way_ec();
    if (!std::strcmp(which, "two_way_ec_encrypted")) return two_way_ec_encrypted();
    if (!std::strcmp(which, "two_way_rsa")) return two_way_rsa();
    std::fprintf(stderr, "usage: qt_client one_way|two_way_ec|two_way_ec_encrypted|two_way_rsa\n");
    return 2;
}
