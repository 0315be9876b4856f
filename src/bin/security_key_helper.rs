//! `aws-token-security-key`: asks the USB security keys plugged in for one WebAuthn assertion on
//! aws-token's behalf (src/authenticator/usb_key.rs has the protocol), so that aws-token itself
//! never loads the HID stack. Not for use by hand.

fn main() -> std::process::ExitCode {
    aws_token::authenticator::usb_key::serve_helper()
}
