//! The compact stored forms of a passage's occupants (the plain text inside `sealed`) and of
//! their keyed hashes (`occupant_keys`): a few dozen bytes per person where the JSON and hex
//! forms written before migration 38 took several hundred. Both forms are told apart by their
//! first byte, so rows of either kind read back the same.
//!
//! Occupants (little-endian, `v` an unsigned LEB128 varint, `z` a zigzag varint), written since
//! migration 38 in form `2`: the count; per occupant its identity (the document type, its place
//! in [`DocumentType::ALL`], `+ 0x80` when the number is packed: 17 digits and a check character
//! of an 18-character number, as `digits * 11 + check` in 8 bytes, `X` being 10, else the
//! number's length as `v` and its bytes; the name's length as `v` and its bytes; the phone as `v`,
//! 0 none, else the 11
//! digits as a number), then its declared test: 0 none; 1 the test the passage's facts hold,
//! taken in China's offset; 2 the same with its offset in minutes as `z`; 3 a test of its own,
//! `kind + 1 | result << 4`, its time in ms as `z`, its offset in minutes as `z` (when the engine
//! looked at a lab's newer result). The role, temperature, health code and places are read from
//! the facts stored beside (unsealed, so that a dry-run replays them without opening anything;
//! they name no one, and are purged with the occupants). Form `1` holds everything itself: the
//! identity, the role, the temperature in tenths as `i16` (`i16::MIN` none), the health code, 0
//! or 1 and a test of its own, the number of places and each division code as `v`.
//!
//! Keys: per occupant the role (0 driver, 1 passenger, 2 pedestrian) and the first 16 bytes of
//! the keyed hash (what the trace index keys a person by). The written-before form is text,
//! `d<hex>,p<hex>`.

use cordon_domain::contact::MobileNumber;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::passage::{
    HealthCode, LatestTest, Occupant, Role, Temperature, TestKind, TestResult,
};
use cordon_domain::person::{PersonName, PersonalData};
use cordon_domain::policy::facts::{FactsBuf, OccupantFacts, TestFacts, TestSource};
use cordon_domain::FieldError;

use super::columns::{division, time};
use super::varint::{put_v, put_z, Reader};
use crate::StoreError;

const OCCUPANTS_V1: u8 = 1;
const OCCUPANTS_V2: u8 = 2;
/// A packed 18-character document number.
const PACKED: u8 = 0x80;
/// Bytes of a keyed hash kept per occupant.
pub(crate) const KEY_BYTES: usize = 16;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: not a stored form"))
}

fn ok<T>(r: Result<T, FieldError>, what: &str) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Corrupt(format!("{what}: {}", e.code)))
}

fn index_of<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter()
        .position(|a| a == x)
        .expect("a variant of its own list") as u8
}

fn nth<T: Copy>(all: &[T], i: u8, what: &str) -> Result<T, StoreError> {
    all.get(usize::from(i))
        .copied()
        .ok_or_else(|| corrupt(what))
}

/// An 18-character number of 17 digits and a check character, packed in a `u64`.
fn pack_number(n: &str) -> Option<u64> {
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let check = match b[17] {
        d @ b'0'..=b'9' => u64::from(d - b'0'),
        b'X' => 10,
        _ => return None,
    };
    let digits: u64 = n[..17].parse().ok()?;
    Some(digits * 11 + check)
}

fn unpack_number(v: u64) -> String {
    let check = match v % 11 {
        10 => 'X',
        d => char::from(b'0' + d as u8),
    };
    format!("{:017}{check}", v / 11)
}

/// A text as its length (`v`) and its bytes.
fn short_text(out: &mut Vec<u8>, s: &str) {
    put_v(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_identity(b: &mut Vec<u8>, person: &PersonalData) {
    let doc = &person.document;
    let kind = index_of(&DocumentType::ALL, &doc.kind());
    match pack_number(doc.expose_number()) {
        Some(packed) => {
            b.push(kind | PACKED);
            b.extend_from_slice(&packed.to_le_bytes());
        }
        None => {
            b.push(kind);
            short_text(b, doc.expose_number());
        }
    }
    short_text(b, person.name.expose());
    let phone = person.phone.as_ref().and_then(|p| p.expose().parse().ok());
    put_v(b, phone.unwrap_or(0));
}

fn read_identity(r: &mut Reader<'_>) -> Result<PersonalData, StoreError> {
    let kind_byte = r.u8()?;
    let kind = nth(&DocumentType::ALL, kind_byte & !PACKED, "document type")?;
    let number = if kind_byte & PACKED != 0 {
        let raw: [u8; 8] = r.bytes(8)?.try_into().expect("eight bytes");
        unpack_number(u64::from_le_bytes(raw))
    } else {
        r.text()?.to_owned()
    };
    Ok(PersonalData {
        document: ok(
            IdentityDocument::parse_at(kind, &number, far_future()),
            "document",
        )?,
        name: ok(PersonName::parse(r.text()?), "name")?,
        phone: match r.v()? {
            0 => None,
            digits => Some(ok(MobileNumber::parse(&digits.to_string()), "phone")?),
        },
    })
}

fn offset_minutes(t: &LatestTest) -> i64 {
    i64::from(t.taken_at.offset().local_minus_utc() / 60)
}

/// A test of its own: kind + 1 and result in a byte, its time, its offset in minutes.
fn put_test(b: &mut Vec<u8>, t: &LatestTest) {
    b.push((index_of(TestKind::ALL, &t.kind) + 1) | (index_of(TestResult::ALL, &t.result) << 4));
    put_z(b, t.taken_at.timestamp_millis());
    put_z(b, offset_minutes(t));
}

fn read_test(r: &mut Reader<'_>) -> Result<LatestTest, StoreError> {
    let t = r.u8()?;
    let kind = nth(TestKind::ALL, (t & 0x0f).wrapping_sub(1), "test kind")?;
    let result = nth(TestResult::ALL, t >> 4, "test result")?;
    let ms = r.z()?;
    let offset_min = r.z()?;
    Ok(LatestTest {
        kind,
        taken_at: time(ms, offset_min.saturating_mul(60))?,
        result,
    })
}

/// The occupants' compact form 1, everything inside: for a passage without stored facts.
pub(crate) fn occupants_bytes(occupants: &[Occupant]) -> Vec<u8> {
    let mut b = Vec::with_capacity(2 + occupants.len() * 48);
    b.push(OCCUPANTS_V1);
    b.push(occupants.len() as u8);
    for o in occupants {
        put_identity(&mut b, &o.person);
        b.push(index_of(Role::ALL, &o.role));
        let tenths = o.temperature_c.map_or(i16::MIN, |t| t.tenths());
        b.extend_from_slice(&tenths.to_le_bytes());
        b.push(index_of(HealthCode::ALL, &o.health_code));
        match &o.latest_test {
            None => b.push(0),
            Some(t) => {
                b.push(1);
                put_test(&mut b, t);
            }
        }
        b.push(o.visited.len().min(255) as u8);
        for c in o.visited.iter().take(255) {
            put_v(&mut b, u64::from(c.value()));
        }
    }
    b
}

/// The offset a declared test's time is most often written in (China's).
const CHINA_MINUTES: i64 = 8 * 60;

/// The occupants' compact form 2: their identities and declared tests only, the rest read from
/// the passage's facts (which hold each occupant's role, temperature, health code and places as
/// registered, [`cordon_domain::policy::facts`]). `engine_tests` are the tests the facts hold,
/// in order: a declared test that is the one the engine looked at is not written again.
pub(crate) fn identities_bytes(
    occupants: &[Occupant],
    engine_tests: &[Option<TestFacts>],
) -> Vec<u8> {
    let mut b = Vec::with_capacity(2 + occupants.len() * 24);
    b.push(OCCUPANTS_V2);
    b.push(occupants.len() as u8);
    for (i, o) in occupants.iter().enumerate() {
        put_identity(&mut b, &o.person);
        match &o.latest_test {
            None => b.push(0),
            Some(t) if engine_tests.get(i).copied().flatten() == Some(declared(t)) => {
                match offset_minutes(t) {
                    CHINA_MINUTES => b.push(1),
                    other => {
                        b.push(2);
                        put_z(&mut b, other);
                    }
                }
            }
            Some(t) => {
                b.push(3);
                put_test(&mut b, t);
            }
        }
    }
    b
}

/// A declared test as the facts hold it.
fn declared(t: &LatestTest) -> TestFacts {
    TestFacts {
        kind: t.kind,
        result: t.result,
        taken_ms: t.taken_at.timestamp_millis(),
        source: TestSource::Declared,
    }
}

/// Stored birth dates were checked against the day they were written; reading them back must
/// not depend on today's date.
fn far_future() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date")
}

/// The inverse of [`occupants_bytes`] and [`identities_bytes`]; form 2 needs the passage's
/// stored facts.
pub(crate) fn occupants_from_bytes(
    bytes: &[u8],
    facts: Option<&[u8]>,
) -> Result<Vec<Occupant>, StoreError> {
    let mut r = Reader::new(bytes);
    let form = r.u8()?;
    let n = r.u8()?;
    let mut out = Vec::with_capacity(usize::from(n));
    match form {
        OCCUPANTS_V1 => {
            for _ in 0..n {
                out.push(occupant_v1(&mut r)?);
            }
        }
        OCCUPANTS_V2 => {
            let mut buf = FactsBuf::default();
            if !facts.is_some_and(|f| buf.decode(f)) || buf.occupant_count() != usize::from(n) {
                return Err(corrupt("occupants without their facts"));
            }
            for i in 0..usize::from(n) {
                out.push(occupant_v2(&mut r, &buf.occupant(i))?);
            }
        }
        _ => return Err(corrupt("occupants")),
    }
    if !r.at_end() {
        return Err(corrupt("occupants"));
    }
    Ok(out)
}

fn occupant_v1(r: &mut Reader<'_>) -> Result<Occupant, StoreError> {
    let person = read_identity(r)?;
    let role = nth(Role::ALL, r.u8()?, "role")?;
    let tenths = i16::from_le_bytes(r.bytes(2)?.try_into().expect("two bytes"));
    let health_code = nth(HealthCode::ALL, r.u8()?, "health code")?;
    let latest_test = match r.u8()? {
        0 => None,
        1 => Some(read_test(r)?),
        _ => return Err(corrupt("test")),
    };
    let places = r.u8()?;
    let mut visited = Vec::with_capacity(usize::from(places));
    for _ in 0..places {
        let code = i64::try_from(r.v()?).map_err(|_| corrupt("division"))?;
        visited.push(division(code)?);
    }
    Ok(Occupant {
        person,
        role,
        temperature_c: (tenths != i16::MIN).then(|| Temperature::from_tenths(tenths)),
        health_code,
        latest_test,
        visited,
    })
}

fn occupant_v2(r: &mut Reader<'_>, f: &OccupantFacts<'_>) -> Result<Occupant, StoreError> {
    let person = read_identity(r)?;
    if person.document.kind() != f.document_type {
        return Err(corrupt("occupants and facts differ"));
    }
    let from_facts = |offset_min: i64| -> Result<LatestTest, StoreError> {
        let t = f
            .test
            .filter(|t| t.source == TestSource::Declared)
            .ok_or_else(|| corrupt("a declared test the facts lack"))?;
        Ok(LatestTest {
            kind: t.kind,
            taken_at: time(t.taken_ms, offset_min.saturating_mul(60))?,
            result: t.result,
        })
    };
    let latest_test = match r.u8()? {
        0 => None,
        1 => Some(from_facts(CHINA_MINUTES)?),
        2 => Some(from_facts(r.z()?)?),
        3 => Some(read_test(r)?),
        _ => return Err(corrupt("test")),
    };
    Ok(Occupant {
        person,
        role: f.role,
        temperature_c: f.temperature.map(Temperature::from_tenths),
        health_code: f.health_code,
        latest_test,
        visited: f.visited.to_vec(),
    })
}

/// The occupants' keyed hashes (hex, [`crate::keyring::Keyring::person`]) with their roles,
/// as `occupant_keys` holds them.
pub(crate) fn occupant_keys_bytes(occupants: &[Occupant], keys: &[String]) -> Vec<u8> {
    keys_bytes(
        occupants
            .iter()
            .zip(keys)
            .map(|(o, k)| (k.as_str(), o.role)),
    )
}

/// Keyed hashes (hex of at least 16 bytes) with their roles, as `occupant_keys` holds them.
pub(crate) fn keys_bytes<'k>(keys: impl IntoIterator<Item = (&'k str, Role)>) -> Vec<u8> {
    let mut b = Vec::new();
    for (key, role) in keys {
        b.push(index_of(Role::ALL, &role));
        for i in 0..KEY_BYTES {
            let byte = key
                .get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .expect("keyed hashes are hex of at least 16 bytes");
            b.push(byte);
        }
    }
    b
}

/// The inverse of [`occupant_keys_bytes`], the keys as hex of their first 16 bytes (the text
/// form written before migration 38, `d<hex>,p<hex>`, reads the same).
pub(crate) fn parse_occupant_keys(stored: &[u8]) -> Result<Vec<(String, Role)>, StoreError> {
    match stored.first() {
        None => Ok(Vec::new()),
        Some(b'd' | b'p' | b'w') => {
            let text = std::str::from_utf8(stored).map_err(|_| corrupt("occupant keys"))?;
            let mut keys = parse_occupant_keys_text(text)?;
            for (k, _) in &mut keys {
                if k.len() < 2 * KEY_BYTES || !k.is_ascii() {
                    return Err(corrupt("occupant keys"));
                }
                k.truncate(2 * KEY_BYTES);
            }
            Ok(keys)
        }
        Some(_) => {
            if !stored.len().is_multiple_of(1 + KEY_BYTES) {
                return Err(corrupt("occupant keys"));
            }
            stored
                .chunks_exact(1 + KEY_BYTES)
                .map(|c| {
                    let role = nth(Role::ALL, c[0], "occupant keys")?;
                    Ok((cordon_domain::audit::hex(&c[1..]), role))
                })
                .collect()
        }
    }
}

/// The keys' text form written before migration 38 (`d<hex>,p<hex>`, [`super::rows::occupant_keys`]).
fn parse_occupant_keys_text(text: &str) -> Result<Vec<(String, Role)>, StoreError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            let role = match part.as_bytes().first() {
                Some(b'd') => Role::Driver,
                Some(b'p') => Role::Passenger,
                Some(b'w') => Role::Pedestrian,
                _ => return Err(corrupt("occupant keys")),
            };
            Ok((part[1..].to_owned(), role))
        })
        .collect()
}

#[cfg(test)]
#[path = "compact/tests.rs"]
mod tests;
