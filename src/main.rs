//! The aws-token binary: restore the terminal on Ctrl-C, read the process environment and hand over
//! to `aws_token::run`.

fn main() -> std::process::ExitCode {
    aws_token::interrupt::install();
    let env = aws_token::environment::Environment::from_process();
    aws_token::run(std::env::args_os(), &env)
}
