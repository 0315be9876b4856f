//! Choosing the AWS role: by `--role` (exact name or ARN), the only one, or a prompt listing
//! "name (account)". Pure logic over the roles in the assertion; asking goes through the `Prompter`.

use crate::error::{Error, Result};
use crate::prompt::Prompter;
use crate::saml::AwsRole;

/// Keep the roles of `account` when the assertion spans several accounts (a direct login).
pub fn filter_account(roles: Vec<AwsRole>, account: &str) -> Result<Vec<AwsRole>> {
    let spans_several = roles.iter().any(|r| r.account_id != roles[0].account_id);
    if !spans_several {
        return Ok(roles);
    }
    let kept: Vec<AwsRole> = roles
        .iter()
        .filter(|r| r.account_id == account)
        .cloned()
        .collect();
    if kept.is_empty() {
        return Err(Error::NotAuthorized {
            message: format!(
                "the SAML assertion has no role in account {account}; it offers: {}",
                labels(&roles)
            ),
        });
    }
    Ok(kept)
}

/// The account of a full role ARN (`arn:aws:iam::ACCOUNT:role/NAME`), if `role` is one.
pub fn account_of_arn(role: &str) -> Option<&str> {
    let mut parts = role.splitn(6, ':');
    let (arn, _, iam, _, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (arn == "arn"
        && iam == "iam"
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit()))
    .then_some(account)
}

/// The question of the role picker for a direct login.
pub const CHOOSE: &str = "Choose the AWS role";

/// Pick one role; `label` is the question when the user is asked.
pub fn choose(
    roles: &[AwsRole],
    wanted: Option<&str>,
    prompter: &dyn Prompter,
    label: &str,
) -> Result<AwsRole> {
    if roles.is_empty() {
        return Err(Error::NotAuthorized {
            message: "the SAML assertion grants no AWS role: ask your IdP admin to assign you a role in the AWS app".into(),
        });
    }
    let candidates: Vec<&AwsRole> = match wanted {
        Some(w) => {
            let mut matched: Vec<&AwsRole> = roles
                .iter()
                .filter(|r| r.role_arn == w || r.name == w)
                .collect();
            // IAM role names are unique without case: `--role admin` means `Admin` when no other
            // role's name differs from it only in case.
            if matched.is_empty() {
                let loose: Vec<&AwsRole> = roles
                    .iter()
                    .filter(|r| {
                        r.role_arn.eq_ignore_ascii_case(w) || r.name.eq_ignore_ascii_case(w)
                    })
                    .collect();
                let spellings: std::collections::BTreeSet<&str> =
                    loose.iter().map(|r| r.name.as_str()).collect();
                if spellings.len() == 1 {
                    matched = loose;
                }
            }
            if matched.is_empty() {
                return Err(Error::RoleNotFound {
                    wanted: w.to_owned(),
                    choices: labels(roles),
                });
            }
            matched
        }
        None => roles.iter().collect(),
    };
    if let [only] = candidates.as_slice() {
        return Ok((*only).clone());
    }
    // Several roles, or one name in several accounts: ask.
    let items: Vec<String> = candidates.iter().map(|r| r.label()).collect();
    let items = if has_duplicates(&items) {
        candidates.iter().map(|r| r.role_arn.clone()).collect()
    } else {
        items
    };
    let i = prompter.select(
        label,
        &items,
        "--role NAME or --role ARN (several roles are offered)",
    )?;
    Ok(candidates[i].clone())
}

fn has_duplicates(items: &[String]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, a)| items[..i].contains(a))
}

fn labels(roles: &[AwsRole]) -> String {
    roles
        .iter()
        .map(AwsRole::label)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{NoTerminal, ScriptedPrompter};

    fn role(account: &str, name: &str) -> AwsRole {
        AwsRole {
            role_arn: format!("arn:aws:iam::{account}:role/{name}"),
            principal_arn: format!("arn:aws:iam::{account}:saml-provider/Okta"),
            partition: "aws".into(),
            account_id: account.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_role_name_in_another_case_matches_when_unambiguous() {
        let roles = [role("111111111111", "Admin"), role("222222222222", "Dev")];
        let pick = |w: &str| choose(&roles, Some(w), &NoTerminal, "Choose").map(|r| r.name);
        assert_eq!(pick("admin").unwrap(), "Admin");
        assert_eq!(pick("ARN:AWS:IAM::222222222222:ROLE/DEV").unwrap(), "Dev");
        // Two names that differ only in case: nothing is guessed.
        let roles = [role("111111111111", "Admin"), role("222222222222", "ADMIN")];
        assert!(choose(&roles, Some("admin"), &NoTerminal, "Choose").is_err());
        assert_eq!(
            choose(&roles, Some("ADMIN"), &NoTerminal, "Choose")
                .unwrap()
                .account_id,
            "222222222222"
        );
    }

    #[test]
    fn by_name_or_arn() {
        let roles = [role("111111111111", "Admin"), role("111111111111", "Dev")];
        assert_eq!(
            choose(&roles, Some("Dev"), &NoTerminal, "Choose")
                .unwrap()
                .name,
            "Dev"
        );
        assert_eq!(
            choose(
                &roles,
                Some("arn:aws:iam::111111111111:role/Admin"),
                &NoTerminal,
                "Choose"
            )
            .unwrap()
            .name,
            "Admin"
        );
    }

    #[test]
    fn no_match_lists_the_choices() {
        let roles = [role("111111111111", "Admin"), role("222222222222", "Dev")];
        let e = choose(&roles, Some("Root"), &NoTerminal, "Choose").unwrap_err();
        assert_eq!(e.exit_code(), 4);
        assert!(
            e.to_string()
                .contains("Admin (111111111111), Dev (222222222222)"),
            "{e}"
        );
    }

    #[test]
    fn one_role_is_taken_several_are_asked() {
        let one = [role("111111111111", "Admin")];
        assert_eq!(
            choose(&one, None, &NoTerminal, "Choose").unwrap().name,
            "Admin"
        );
        let two = [role("111111111111", "Admin"), role("111111111111", "Dev")];
        assert_eq!(
            choose(&two, None, &NoTerminal, "Choose")
                .unwrap_err()
                .exit_code(),
            2
        );
        let p = ScriptedPrompter::new(["Dev (111111111111)"]);
        assert_eq!(choose(&two, None, &p, "Choose").unwrap().name, "Dev");
    }

    #[test]
    fn same_name_in_two_accounts_is_asked_by_arn() {
        let two = [role("111111111111", "Admin"), role("222222222222", "Admin")];
        let p = ScriptedPrompter::new(["Admin (222222222222)"]);
        assert_eq!(
            choose(&two, Some("Admin"), &p, "Choose")
                .unwrap()
                .account_id,
            "222222222222"
        );
    }

    #[test]
    fn filter_only_when_several_accounts() {
        let one = vec![role("999999999999", "Admin")];
        assert_eq!(filter_account(one, "111111111111").unwrap().len(), 1);
        let two = vec![role("111111111111", "Admin"), role("222222222222", "Dev")];
        let kept = filter_account(two.clone(), "222222222222").unwrap();
        assert_eq!(kept, vec![two[1].clone()]);
        assert_eq!(
            filter_account(two, "333333333333").unwrap_err().exit_code(),
            4
        );
    }
}
