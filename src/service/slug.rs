//! URL keys (`m-butterfly`): derived from names, and checked when given.

/// Longest slug accepted.
pub const MAX_SLUG_LEN: usize = 100;

/// The slug of a name: lower-case ASCII letters and digits joined by single dashes
/// (`"M. Butterfly"` → `m-butterfly`). Empty when the name has no ASCII letter or digit.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let trimmed = slug.trim_end_matches('-');
    let mut end = trimmed.len().min(MAX_SLUG_LEN);
    while trimmed[..end].ends_with('-') {
        end -= 1;
    }
    trimmed[..end].to_owned()
}

/// Whether `slug` is well formed: 1 to 100 of `a-z`, `0-9`, single inner dashes.
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG_LEN
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_folds_case_and_punctuation() {
        assert_eq!(slugify("M. Butterfly"), "m-butterfly");
        assert_eq!(slugify("  Love & Betrayal! "), "love-betrayal");
        assert_eq!(slugify("⚖️"), "");
        assert!(slugify(&"ab ".repeat(80)).len() <= MAX_SLUG_LEN);
        assert!(is_valid(&slugify(&"ab ".repeat(80))));
    }

    #[test]
    fn validates_slugs() {
        assert!(is_valid("m-butterfly"));
        for bad in ["", "M-Butterfly", "-a", "a-", "a--b", "a b", "é"] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
