use application::ports::CodeGenerator;
use domain::VerificationCode;
use rand::Rng;

/// Six uniformly drawn digits from the operating system's CSPRNG (via `rand`'s
/// thread-local generator, which is reseeded from it).
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomCodeGenerator;

impl CodeGenerator for RandomCodeGenerator {
    fn verification_code(&self) -> VerificationCode {
        let mut rng = rand::rng();
        loop {
            let digits: String =
                (0..VerificationCode::LEN).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
            // Always six ASCII digits, so this parses; the loop only satisfies the types.
            if let Ok(code) = VerificationCode::parse(&digits) {
                return code;
            }
        }
    }

    fn name_suffix(&self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::rng();
        (0..10).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
    }

    fn pseudonym(&self) -> String {
        let bits: u128 = rand::rng().random();
        format!("{bits:032x}")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn draws_six_digit_codes_that_vary() {
        let codes: HashSet<String> =
            (0..50).map(|_| RandomCodeGenerator.verification_code().expose().to_owned()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        assert!(codes.len() > 40, "codes repeat too often: {}", codes.len());
    }

    #[test]
    fn name_suffixes_are_ten_lowercase_alphanumerics_that_vary() {
        let suffixes: HashSet<String> = (0..50).map(|_| RandomCodeGenerator.name_suffix()).collect();
        assert!(
            suffixes.iter().all(|s| s.len() == 10 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        );
        assert_eq!(suffixes.len(), 50);
    }

    #[test]
    fn pseudonyms_are_32_lowercase_hex_digits_that_vary() {
        let pseudonyms: HashSet<String> = (0..50).map(|_| RandomCodeGenerator.pseudonym()).collect();
        assert!(
            pseudonyms
                .iter()
                .all(|p| p.len() == 32 && p.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        );
        assert_eq!(pseudonyms.len(), 50);
    }
}
