//! The client snippets: the probe, curl, openssl s_client, Python (`ssl`, `requests`,
//! `websockets`), Node (`https`, `tls`) and Qt, each reaching the kit's server.

use super::{Client, KEY_PASSWORD_VAR, Parts, Snippet, key_note};

/// A shell snippet's text with the key note first when `c`'s key is encrypted.
fn noted(c: Option<&Client<'_>>, text: String) -> String {
    match c {
        Some(c) if c.key_encrypted => format!("{}{text}", key_note("#", c.key)),
        _ => text,
    }
}

/// Python's `password=` argument for an encrypted key (`os` imported by the snippet).
fn py_password(c: &Client<'_>) -> String {
    c.password(|| format!(", password=os.environ[\"{KEY_PASSWORD_VAR}\"]"))
}

/// `import os, ` when the snippet reads the key password, else nothing.
fn py_os(p: &Parts<'_>) -> &'static str {
    if p.client.as_ref().is_some_and(|c| c.key_encrypted) {
        "os, "
    } else {
        ""
    }
}

pub(super) fn all(p: &Parts<'_>) -> Vec<Snippet> {
    let mut out = vec![probe(p), curl(p, None), openssl(p, None)];
    if let Some(c) = &p.client {
        out.push(curl(p, Some(c)));
        out.push(openssl(p, Some(c)));
    }
    out.extend([
        python_ssl(p),
        python_requests(p),
        python_websockets(p),
        node_https(p),
        node_tls(p),
        qt(p),
    ]);
    out
}

/// The request the raw-TLS clients send: certlab-echo answers `/info` with its greeting.
fn request(p: &Parts<'_>) -> String {
    format!(
        "GET /info HTTP/1.1\\r\\nHost: {}\\r\\nConnection: close\\r\\n\\r\\n",
        p.at.host
    )
}

fn probe(p: &Parts<'_>) -> Snippet {
    let mut cmd = format!(
        "certlab-echo probe wss://{}:{}/ --ca {}",
        p.at.host, p.at.port, p.root
    );
    if let Some(c) = &p.client {
        cmd.push_str(&format!(" --cert {} --key {}", c.chain, c.key));
        cmd.push_str(&c.password(|| format!(" --key-password \"${KEY_PASSWORD_VAR}\"")));
    }
    cmd.push_str(" --send hello\n");
    let cmd = noted(p.client.as_ref(), cmd);
    Snippet::new(
        "probe",
        "certlab-echo",
        "sh",
        "probe.sh",
        "certlab-echo probe: the server's chain, the verdict, its greeting and an echo",
        cmd,
    )
}

fn curl(p: &Parts<'_>, client: Option<&Client<'_>>) -> Snippet {
    let (id, title, id_flags) = match client {
        Some(c) => (
            "curl-mtls",
            format!("curl, mutual TLS as {}", c.name),
            format!(
                " --cert {} --key {}{}",
                c.chain,
                c.key,
                c.password(|| format!(" --pass \"${KEY_PASSWORD_VAR}\""))
            ),
        ),
        None => (
            "curl",
            "curl, trusting the kit's root".into(),
            String::new(),
        ),
    };
    let text = noted(
        client,
        format!(
            "curl --fail --cacert {}{id_flags} https://{}:{}/info\n",
            p.root, p.at.host, p.at.port
        ),
    );
    Snippet::new(id, "curl", "sh", "curl.sh", title, text)
}

fn openssl(p: &Parts<'_>, client: Option<&Client<'_>>) -> Snippet {
    let (id, title, id_flags) = match client {
        Some(c) => (
            "openssl-mtls",
            format!("openssl s_client, mutual TLS as {}", c.name),
            format!(
                " -cert {}{} -key {}{}",
                c.cert,
                c.issuers
                    .map(|i| format!(" -cert_chain {i}"))
                    .unwrap_or_default(),
                c.key,
                c.password(|| format!(" -pass env:{KEY_PASSWORD_VAR}"))
            ),
        ),
        None => (
            "openssl",
            "openssl s_client: the chain the server presents, verified".into(),
            String::new(),
        ),
    };
    let text = noted(
        client,
        format!(
            "openssl s_client -connect {h}:{port} -servername {h} -CAfile {root} -verify_return_error{id_flags}\n",
            h = p.at.host,
            port = p.at.port,
            root = p.root
        ),
    );
    Snippet::new(id, "openssl", "sh", "s_client.sh", title, text)
}

/// Python's `load_cert_chain` line (mutual TLS), indented by `indent`.
fn py_identity(p: &Parts<'_>, indent: &str) -> String {
    p.client
        .as_ref()
        .map(|c| {
            format!(
                "{indent}ctx.load_cert_chain(\"{}\", \"{}\"{})\n",
                c.chain,
                c.key,
                py_password(c)
            )
        })
        .unwrap_or_default()
}

/// The key note of a Python snippet, when its client key is encrypted.
fn py_note(p: &Parts<'_>) -> String {
    noted(p.client.as_ref(), String::new())
}

fn python_ssl(p: &Parts<'_>) -> Snippet {
    let text = format!(
        "{note}import {os}socket, ssl\n\n\
         ctx = ssl.create_default_context(cafile=\"{root}\")\n\
         {identity}\
         with socket.create_connection((\"{h}\", {port})) as raw:\n\
         \x20   with ctx.wrap_socket(raw, server_hostname=\"{h}\") as tls:\n\
         \x20       print(tls.version(), tls.getpeercert()[\"subject\"])\n\
         \x20       tls.sendall(b\"{req}\")\n\
         \x20       while chunk := tls.recv(65536):\n\
         \x20           print(chunk.decode(), end=\"\")\n",
        note = py_note(p),
        os = py_os(p),
        root = p.root,
        identity = py_identity(p, ""),
        h = p.at.host,
        port = p.at.port,
        req = request(p),
    );
    Snippet::new(
        "python-ssl",
        "Python",
        "python",
        "tls_client.py",
        "Python ssl: a TLS socket that checks the server against the kit's root",
        text,
    )
}

fn python_requests(p: &Parts<'_>) -> Snippet {
    let text = match &p.client {
        // requests takes no key password: the identity goes in through an SSL context.
        Some(c) if c.key_encrypted => format!(
            "{note}import os, ssl, requests\n\
             from requests.adapters import HTTPAdapter\n\n\
             # requests takes no key password: the identity goes in through an SSL context\n\
             class Identity(HTTPAdapter):\n\
             \x20   def init_poolmanager(self, *args, **kwargs):\n\
             \x20       ctx = ssl.create_default_context(cafile=\"{root}\")\n\
             \x20       ctx.load_cert_chain(\"{chain}\", \"{key}\"{pw})\n\
             \x20       super().init_poolmanager(*args, ssl_context=ctx, **kwargs)\n\n\
             session = requests.Session()\n\
             session.mount(\"https://\", Identity())\n\
             r = session.get(\"https://{h}:{port}/info\", verify=\"{root}\", timeout=30)\n\
             r.raise_for_status()\n\
             print(r.text)\n",
            note = py_note(p),
            chain = c.chain,
            key = c.key,
            pw = py_password(c),
            h = p.at.host,
            port = p.at.port,
            root = p.root,
        ),
        client => format!(
            "import requests\n\n\
             r = requests.get(\"https://{h}:{port}/info\", verify=\"{root}\"{cert}, timeout=30)\n\
             r.raise_for_status()\n\
             print(r.text)\n",
            cert = client
                .as_ref()
                .map(|c| format!(", cert=(\"{}\", \"{}\")", c.chain, c.key))
                .unwrap_or_default(),
            h = p.at.host,
            port = p.at.port,
            root = p.root,
        ),
    };
    Snippet::new(
        "python-requests",
        "Python",
        "python",
        "https_client.py",
        "Python requests (pip install requests)",
        text,
    )
}

fn python_websockets(p: &Parts<'_>) -> Snippet {
    let text = format!(
        "{note}import {os}asyncio, ssl\n\
         from websockets.asyncio.client import connect\n\n\
         async def main():\n\
         \x20   ctx = ssl.create_default_context(cafile=\"{root}\")\n\
         {identity}\
         \x20   async with connect(\"wss://{h}:{port}/\", ssl=ctx) as ws:\n\
         \x20       print(await ws.recv())  # the greeting: TLS facts and the client certificate seen\n\
         \x20       await ws.send(\"hello certlab\")\n\
         \x20       print(await ws.recv())\n\n\
         asyncio.run(main())\n",
        note = py_note(p),
        os = py_os(p),
        root = p.root,
        identity = py_identity(p, "    "),
        h = p.at.host,
        port = p.at.port,
    );
    Snippet::new(
        "python-websockets",
        "Python",
        "python",
        "wss_client.py",
        "Python websockets (pip install websockets): wss:// with the kit's root",
        text,
    )
}

/// Node's TLS options: the root, and the client's chain and key for mutual TLS.
fn node_options(p: &Parts<'_>) -> String {
    let mut o = format!(
        "host: \"{h}\", port: {port}, ca: fs.readFileSync(\"{root}\")",
        h = p.at.host,
        port = p.at.port,
        root = p.root
    );
    if let Some(c) = &p.client {
        o.push_str(&format!(
            ",\n  cert: fs.readFileSync(\"{}\"), key: fs.readFileSync(\"{}\")",
            c.chain, c.key
        ));
        o.push_str(&c.password(|| format!(", passphrase: process.env.{KEY_PASSWORD_VAR}")));
    }
    o
}

/// The key note of a JavaScript or C++ snippet, when its client key is encrypted.
fn js_note(p: &Parts<'_>) -> String {
    match &p.client {
        Some(c) if c.key_encrypted => key_note("//", c.key),
        _ => String::new(),
    }
}

fn node_https(p: &Parts<'_>) -> Snippet {
    let text = format!(
        "{note}const fs = require(\"fs\"), https = require(\"https\");\n\n\
         https.get({{ {opts}, path: \"/info\" }}, (res) => {{\n\
         \x20 if (res.statusCode !== 200) process.exitCode = 1;\n\
         \x20 res.setEncoding(\"utf8\");\n\
         \x20 res.on(\"data\", (d) => process.stdout.write(d));\n\
         }}).on(\"error\", (e) => {{ console.error(e.message); process.exitCode = 1; }});\n",
        opts = node_options(p),
        note = js_note(p),
    );
    Snippet::new(
        "node-https",
        "Node",
        "javascript",
        "https_client.js",
        "Node https",
        text,
    )
}

fn node_tls(p: &Parts<'_>) -> Snippet {
    let text = format!(
        "{note}const fs = require(\"fs\"), tls = require(\"tls\");\n\n\
         const s = tls.connect({{ {opts}, servername: \"{h}\" }}, () => {{\n\
         \x20 console.log(s.getProtocol(), s.getPeerCertificate().subject);\n\
         \x20 s.write(\"{req}\");\n\
         }});\n\
         s.setEncoding(\"utf8\");\n\
         s.on(\"data\", (d) => process.stdout.write(d));\n\
         s.on(\"error\", (e) => {{ console.error(e.message); process.exitCode = 1; }});\n",
        opts = node_options(p),
        note = js_note(p),
        h = p.at.host,
        req = request(p),
    );
    Snippet::new(
        "node-tls",
        "Node",
        "javascript",
        "tls_client.js",
        "Node tls",
        text,
    )
}

/// Qt's `QSslKey` algorithm for a kit key: `QSsl::Ec` for ECDSA, `QSsl::Rsa` for RSA;
/// `None` for Ed25519 (Qt 5's `QSslKey` has no type for it).
fn qt_key_type(alg: &str) -> Option<&'static str> {
    if alg.starts_with("ecdsa") {
        Some("QSsl::Ec")
    } else if alg.starts_with("rsa") {
        Some("QSsl::Rsa")
    } else {
        None
    }
}

/// Qt (QSslSocket, and Cute's RemoteObject, which takes the same QSslConfiguration).
fn qt(p: &Parts<'_>) -> Snippet {
    let two_way = match &p.client {
        Some(c) => match qt_key_type(c.key_algorithm) {
            Some(ty) => format!(
                "// two-way TLS: the client's certificate chain and its key ({ty} for its {alg} key)\n\
                 {note}\
                 conf.setLocalCertificateChain(QSslCertificate::fromPath(\"{chain}\"));\n\
                 QFile keyFile(\"{key}\");\n\
                 keyFile.open(QIODevice::ReadOnly);\n\
                 conf.setPrivateKey(QSslKey(keyFile.readAll(), {ty}, QSsl::Pem, QSsl::PrivateKey{pw}));\n",
                alg = c.key_algorithm,
                chain = c.chain,
                key = c.key,
                note = js_note(p),
                pw = c.password(|| format!(", qgetenv(\"{KEY_PASSWORD_VAR}\")")),
            ),
            None => format!(
                "// two-way TLS needs an ECDSA or RSA key: Qt's QSslKey cannot load {}'s {} key\n",
                c.name, c.key_algorithm
            ),
        },
        None => String::new(),
    };
    let text = format!(
        "// Qt: the same QSslConfiguration serves QSslSocket, QWebSocket, QNetworkRequest and\n\
         // the Cute server's RemoteObject (cutes://{h}:{port}).\n\
         QSslConfiguration conf = QSslConfiguration::defaultConfiguration();\n\
         conf.setCaCertificates(QSslCertificate::fromPath(\"{root}\"));\n\
         {two_way}\
         QSslSocket socket;\n\
         socket.setSslConfiguration(conf);\n\
         socket.connectToHostEncrypted(\"{h}\", {port});\n",
        h = p.at.host,
        port = p.at.port,
        root = p.root,
    );
    Snippet::new(
        "qt",
        "Qt",
        "cpp",
        "qt_client.cpp",
        "Qt: QSslConfiguration with the kit's root and, for two-way TLS, the client's chain and key",
        text,
    )
}
