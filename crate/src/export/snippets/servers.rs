//! The server snippets: certlab-echo, an nginx `server {}` block and a Cute server listener;
//! for an encrypted server key, the decrypted copy that mosquitto and the Cute server read.

use super::{
    KEY_PASSWORD_VAR, LISTEN_ADDRESS, NGINX_PASSWORD_FILE, Parts, Snippet, key_note, plain_key,
    server_key_for,
};

pub(super) fn all(p: &Parts<'_>) -> Vec<Snippet> {
    vec![echo(p), nginx(p), cute(p)]
}

/// certlab-echo serving the kit's first server; client certificates verified when sent.
fn echo(p: &Parts<'_>) -> Snippet {
    let mut cmd = format!(
        "certlab-echo serve --cert {} --key {}",
        p.server_chain, p.server_key
    );
    if p.server_key_encrypted {
        cmd.insert_str(0, &key_note("#", p.server_key));
        cmd.push_str(&format!(" --key-password \"${KEY_PASSWORD_VAR}\""));
    }
    if p.client.is_some() {
        cmd.push_str(&format!(
            " --client-ca {} --client-auth optional",
            p.client_trust
        ));
    }
    cmd.push_str(&format!(" --listen {LISTEN_ADDRESS}:{}\n", p.at.port));
    Snippet::new(
        "certlab-echo",
        "certlab-echo",
        "sh",
        "serve.sh",
        "certlab-echo: the kit's server over https:// and wss://, client certificates checked when sent",
        cmd,
    )
}

/// An nginx `server {}` block (inside `http {}`), mutual TLS on when the kit has clients.
fn nginx(p: &Parts<'_>) -> Snippet {
    let mtls = if p.client.is_some() {
        let crl = p.client_crl.map_or(String::new(), |crl| {
            // nginx sets OpenSSL's CRL_CHECK_ALL: every CA of a client's chain needs its CRL
            // in the file, and a CRL past its nextUpdate makes nginx refuse every client.
            format!(
                "    # revocation: once `certlab revoke` has revoked a client, uncomment to refuse it\n\
                 \x20   # (nginx reads it at start: reload after each revoke; it checks every CA of the\n\
                 \x20   # chain, so with an intermediate put all CAs' CRLs in one file; past the CRL's\n\
                 \x20   # nextUpdate, 30 days, nginx refuses every client: revoke or re-sign in time)\n\
                 \x20   # ssl_crl {crl};\n"
            )
        });
        format!(
            "    # mutual TLS: clients must present a certificate from this CA (and their chain)\n\
             \x20   ssl_client_certificate {};\n\
             \x20   ssl_verify_client on;\n\
             \x20   ssl_verify_depth 2;\n{crl}",
            p.client_trust
        )
    } else {
        String::new()
    };
    // nginx reads a key's password from a file (ssl_password_file), not from the environment.
    let password = if p.server_key_encrypted {
        format!(
            "    # {key} is encrypted: {NGINX_PASSWORD_FILE} holds its password (one line; only\n\
             \x20   # nginx's user may read it)\n\
             \x20   ssl_password_file   {NGINX_PASSWORD_FILE};\n",
            key = p.server_key
        )
    } else {
        String::new()
    };
    let text = format!(
        "# nginx: put this block inside http {{}}; relative paths are relative to nginx's conf\n\
         # directory (copy the files there, or give full paths). {addr} serves this machine only.\n\
         server {{\n\
         \x20   listen {addr}:{port} ssl;\n\
         \x20   server_name {host};\n\
         \x20   ssl_certificate     {chain};\n\
         \x20   ssl_certificate_key {key};\n\
         {password}\
         {mtls}\
         \x20   location / {{\n\
         \x20       default_type text/plain;\n\
         \x20       return 200 \"hello $ssl_client_s_dn ($ssl_client_verify)\\n\";\n\
         \x20   }}\n\
         }}\n",
        addr = LISTEN_ADDRESS,
        port = p.at.port,
        host = p.at.host,
        chain = p.server_chain,
        key = p.server_key,
    );
    Snippet::new(
        "nginx",
        "nginx",
        "nginx",
        "certlab.conf",
        "nginx: a server {} block presenting the full chain, mutual TLS on",
        text,
    )
}

/// The Cute server's `[Listener]` section: certificate, privateKey, caCertificates,
/// twoWaySSL (the names of the Cute server's configuration file).
fn cute(p: &Parts<'_>) -> Snippet {
    let two_way = if p.client.is_some() {
        format!(
            "    twoWaySSL = true\n    caCertificates = {}\n",
            p.client_trust
        )
    } else {
        String::new()
    };
    let (key, note) = server_key_for(p, ";", "the listener");
    let text = format!(
        "; Cute server: the listener section of its configuration file (make the paths\n\
         ; absolute: the kit's folder + these names). Clients use the Qt lines (cutes://{host}:{port}).\n\
         {note}\
         [Listener.certlab]\n\
         \x20   address = {LISTEN_ADDRESS}\n\
         \x20   port = {port}\n\
         \x20   certificate = {chain}\n\
         \x20   privateKey = {key}\n\
         {two_way}",
        host = p.at.host,
        port = p.at.port,
        chain = p.server_chain,
    );
    Snippet::new(
        "cute-listener",
        "Cute server",
        "ini",
        "cute-listener.ini",
        "Cute server: a [Listener] section (certificate, privateKey, twoWaySSL, caCertificates)",
        text,
    )
}

/// For an encrypted server key: the decrypted copy (`server.plain.key`, readable by its owner
/// only) for the programs that cannot take a key password: mosquitto's broker and the Cute
/// server's listener. None when the server key is not encrypted.
pub(super) fn plain_server_key(p: &Parts<'_>) -> Option<Snippet> {
    if !p.server_key_encrypted {
        return None;
    }
    let plain = plain_key(p.server_key);
    let text = format!(
        "# mosquitto and the Cute server read no key password: a decrypted copy of {key}\n\
         # that only you can read. {KEY_PASSWORD_VAR}: the password of {key}.\n\
         (umask 077 && openssl pkey -in {key} -passin env:{KEY_PASSWORD_VAR} -out {plain})\n",
        key = p.server_key,
    );
    Some(Snippet::new(
        "plain-server-key",
        "openssl",
        "sh",
        "plain-key.sh",
        format!("openssl: {plain}, the server key decrypted for mosquitto and the Cute server"),
        text,
    ))
}
