//! Role choice: --role by name or ARN, one role taken, several asked, account filtering, chaining.

use crate::support::*;

#[test]
fn role_by_arn() {
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--role", "arn:aws:iam::111111111111:role/ReadOnly"])
        .expect(0)
        .stderr_has("assumed-role/ReadOnly/nomfa@example.com");
}

#[test]
fn role_not_found_lists_the_choices() {
    let w = World::new();
    w.write_credentials("[keep]\nk = v\n");
    w.login("nomfa@example.com")
        .args(["--role", "Root"])
        .expect(4)
        .stderr_has("no role matches --role \"Root\"; the SAML assertion offers: Admin (111111111111), ReadOnly (111111111111)");
    assert_eq!(w.credentials(), "[keep]\nk = v\n");
    // Another case of a role's name is that role (IAM names are unique without case).
    w.login("nomfa@example.com")
        .args(["--role", "admin"])
        .expect(0)
        .stderr_has("assumed-role/Admin/nomfa@example.com");
}

#[test]
fn several_roles_without_a_terminal_list_them() {
    let w = World::new();
    w.login("nomfa@example.com").expect(2).stderr_has(
        "Choose the AWS role (one of: Admin (111111111111), ReadOnly (111111111111)) is needed",
    );
}

#[test]
fn a_single_role_is_taken() {
    let w = World::new();
    w.write_config(&w.default_config().replace(
        "\"staging\": \"111111111111\"",
        "\"staging\": \"123456789012\"",
    ));
    w.login("single@example.com")
        .args(["--otp", &totp()])
        .expect(0)
        .stderr_has("arn:aws:sts::123456789012:assumed-role/Admin/single@example.com");
}

#[test]
fn direct_login_keeps_the_accounts_roles() {
    let w = World::new();
    // dev-direct is 222222222222 with its own URL: of the three roles only Developer is left.
    w.login("nomfa@example.com")
        .args(["--account", "dev-direct"])
        .expect(0)
        .stderr_has("Profile dev-direct updated")
        .stderr_has("assumed-role/Developer/");
}

#[test]
fn chained_account_assumes_the_same_role_name() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--account", "development", "--role", "Admin"])
        .expect(0);
    r.stdout_is("export AWS_PROFILE=development\nexport AWS_DEFAULT_REGION=us-east-1\n");
    r.stderr_has("arn:aws:sts::222222222222:assumed-role/Admin/nomfa@example.com");
}

#[test]
fn chaining_into_a_role_that_does_not_exist_is_refused_by_sts() {
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--account", "development", "--role", "ReadOnly"])
        .expect(5)
        .stderr_has(
            "STS AssumeRole for arn:aws:iam::222222222222:role/ReadOnly failed: AccessDenied",
        );
}
