//! The aws-token binary: read the process environment and hand over to `aws_token::run`.

fn main() -> std::process::ExitCode {
    let env = aws_token::environment::Environment::from_process();
    aws_token::run(std::env::args_os(), &env)
}
