//! The aws-token binary: install the Ctrl-C handler (terminal restore, clean-up), read the process
//! environment and hand over to `aws_token::run`.

fn main() -> std::process::ExitCode {
    let cleanup = aws_token::interrupt::install();
    let env = aws_token::environment::Environment::from_process();
    aws_token::run(std::env::args_os(), &env, &cleanup)
}
