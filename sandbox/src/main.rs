//! The `aws-token-sandbox` command: serve the sandbox on 127.0.0.1, print the demo users file,
//! print the current TOTP code for a secret (the demo's authenticator app), or print a test
//! security key's file (for a debug build's software key).

use aws_token_sandbox::{Data, Sandbox, data, tls, totp_now};
use std::process::ExitCode;

const USAGE: &str = "usage:
  aws-token-sandbox [serve] [--users FILE] [--port N] [--tls CA_FILE] [--identity-engine] [--one-page]
                                                        serve on 127.0.0.1 (port 0 = any); prints the URL;
                                                        --tls: https with a new CA, its PEM written to CA_FILE;
                                                        --identity-engine: an Okta Identity Engine org (IDX API);
                                                        --one-page: username and password on one form
  aws-token-sandbox demo-users                          print the demo users file (JSON)
  aws-token-sandbox totp [SECRET]                       print the current TOTP code (default: the demo user's)
  aws-token-sandbox security-key [N] [RP_ID]            print test key N's file (default 1, at 127.0.0.1), for a
                                                        debug build's AWS_TOKEN_TEST_SECURITY_KEY";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aws-token-sandbox: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("demo-users") => {
            let text = serde_json::to_string_pretty(&data::demo()).map_err(|e| e.to_string())?;
            println!("{text}");
            Ok(())
        }
        Some("totp") => {
            let secret = args.get(1).map_or(data::DEMO_TOTP_SECRET, String::as_str);
            println!("{}", totp_now(secret)?);
            Ok(())
        }
        Some("security-key") => {
            let n = match args.get(1) {
                Some(n) => n.parse().map_err(|_| format!("not a key number: {n}"))?,
                None => 1,
            };
            let rp_id = args.get(2).map_or("127.0.0.1", String::as_str);
            println!(
                "{}",
                aws_token_sandbox::webauthn::test_key(n).key_file(rp_id)
            );
            Ok(())
        }
        Some("serve") => serve(&args[1..]),
        _ => serve(args),
    }
}

fn serve(args: &[String]) -> Result<(), String> {
    let mut users = None;
    let mut port = 0u16;
    let mut ca_file = None;
    let mut identity_engine = false;
    let mut one_page = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--users" => users = Some(it.next().ok_or("--users needs a file")?.clone()),
            "--identity-engine" => identity_engine = true,
            "--one-page" => one_page = true,
            "--tls" => ca_file = Some(it.next().ok_or("--tls needs a file for the CA")?.clone()),
            "--port" => {
                port = it
                    .next()
                    .ok_or("--port needs a number")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let mut data: Data = match users {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => data::demo(),
    };
    data.identity_engine |= identity_engine;
    data.one_page_sign_in |= one_page;
    let identity = match &ca_file {
        Some(path) => {
            let identity = tls::Identity::generate().map_err(|e| e.to_string())?;
            std::fs::write(path, &identity.ca_pem).map_err(|e| format!("{path}: {e}"))?;
            Some(identity)
        }
        None => None,
    };
    let data_pipeline = data.identity_engine;
    let entra = data
        .entra
        .as_ref()
        .map(|t| (t.app_id.clone(), t.tenant_id.clone()));
    let sandbox =
        Sandbox::start_with(data, port, identity).map_err(|e| format!("cannot listen: {e}"))?;
    println!("{}", sandbox.url());
    let url = sandbox.url();
    eprintln!(
        "aws-token-sandbox: an Okta {} org and its AWS services on {url}\n\
         \x20 idpEntryUrl (demo app, config.json)  {}\n\
         \x20 form IdP login (provider \"form\")     {}\n\
         \x20 STS (AWS_ENDPOINT_URL_STS)           {}\n\
         \x20 federation (AWS_TOKEN_FEDERATION_URL) {}\n\
         \x20 demo users: demo@example.com (TOTP: aws-token-sandbox totp), nomfa@example.com, push@example.com; password \"correct horse\"\n\
         \x20 Duo behind Okta: duo@example.com (push, or passcode 246810), duo-two@example.com (two devices)\n\
         \x20 security key: webauthn@example.com (a debug build with AWS_TOKEN_TEST_SECURITY_KEY=<the file `aws-token-sandbox security-key` prints>){}",
        if data_pipeline {
            "Identity Engine"
        } else {
            "Classic"
        },
        sandbox.embed_link(data::DEMO_APP),
        sandbox.form_login(data::DEMO_APP),
        sandbox.sts_url(),
        sandbox.federation_url(),
        entra.map_or(String::new(), |(app, tenant)| format!(
            "\n  Entra ID app link (provider \"entra\") {url}/signin/{app}?tenantId={tenant}: push@entra.example.com (number 47), totp@entra.example.com, nomfa@entra.example.com"
        )),
    );
    sandbox.wait();
    Ok(())
}
