//! Every division of the country (provinces, cities, counties and districts: 3,339 of them) by
//! name, pinyin initials and code, for the forms where people type a place name (石家庄, or
//! `sjz`) and the record keeps its six-digit code. The list is the National Bureau of Statistics'
//! 2023 division codes as the `china-division` package (MIT, `data/divisions.LICENSE`) publishes
//! them, with each name's initials from `pinyin-pro`, written once into `data/divisions.tsv`
//! (code, name, initials, the names above it); see docs/DECISIONS.md for how to write it again.

use std::sync::LazyLock;

use serde::Serialize;

/// A division as a form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Place {
    /// The six-digit code.
    #[schema(example = "130100")]
    pub code: &'static str,
    #[schema(example = "石家庄市")]
    pub name: &'static str,
    /// The names of the divisions above it, province first (empty for a province).
    #[schema(example = "河北省")]
    pub within: &'static str,
}

struct Entry {
    place: Place,
    initials: &'static str,
}

static PLACES: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    include_str!("../data/divisions.tsv")
        .lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            let (code, name, initials) = (f.next()?, f.next()?, f.next()?);
            Some(Entry {
                place: Place {
                    code,
                    name,
                    within: f.next().unwrap_or(""),
                },
                initials,
            })
        })
        .collect()
});

/// Most places a search answers.
pub const MAX_ANSWERS: usize = 50;

/// The places whose name contains `query`, whose initials start with it (`sjz`), or whose code
/// starts with it; names that start with the query first, then larger divisions first. At most
/// `limit` (and [`MAX_ANSWERS`]).
pub fn search(query: &str, limit: usize) -> Vec<Place> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let lower = q.to_ascii_lowercase();
    let digits = q.bytes().all(|b| b.is_ascii_digit());
    let letters = q.bytes().all(|b| b.is_ascii_alphabetic());
    let mut found: Vec<(u8, &Entry)> = PLACES
        .iter()
        .filter_map(|e| {
            let rank = if e.place.name.starts_with(q) {
                0
            } else if letters && e.initials.starts_with(&lower) {
                1
            } else if e.place.name.contains(q) {
                2
            } else if digits && e.place.code.starts_with(q) {
                3
            } else {
                return None;
            };
            Some((rank, e))
        })
        .collect();
    // Within a rank: provinces, then cities, then counties (a code's trailing zeros), by code.
    let level = |code: &str| 6 - code.trim_end_matches("00").len();
    found.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then(level(b.place.code).cmp(&level(a.place.code)))
            .then(a.place.code.cmp(b.place.code))
    });
    found
        .into_iter()
        .take(limit.min(MAX_ANSWERS))
        .map(|(_, e)| e.place.clone())
        .collect()
}

/// The place an address names, among the places whose code starts with `within` (a code's
/// significant digits: `13` for a province, `1301` for a city): the county whose name it holds
/// (the longest such name; of several alike, the one whose city the address names too, else
/// the first by code), else the city. `长安区某小区` within `13` is 石家庄市长安区.
pub fn named_in(address: &str, within: &str) -> Option<Place> {
    let named = |county: bool| {
        let found: Vec<&Entry> = PLACES
            .iter()
            .filter(|e| e.place.code.starts_with(within))
            .filter(|e| e.place.code.ends_with("00") != county && !e.place.code.ends_with("0000"))
            .filter(|e| e.place.name.chars().count() >= 2 && address.contains(e.place.name))
            .collect();
        let longest = found.iter().map(|e| e.place.name.len()).max()?;
        let alike: Vec<&&Entry> = found
            .iter()
            .filter(|e| e.place.name.len() == longest)
            .collect();
        let city_named = |e: &&Entry| -> bool {
            by_code(&format!("{}00", &e.place.code[..4]))
                .is_some_and(|city| address.contains(city.name))
        };
        alike
            .iter()
            .find(|e| city_named(e))
            .or(alike.first())
            .map(|e| e.place.clone())
    };
    named(true).or_else(|| named(false))
}

/// The place an address names anywhere in the country, found as an address is written: the
/// province or city it names first (the longest such name), then a county named within that.
/// `None` when it names no province or city.
pub fn named_anywhere(address: &str) -> Option<Place> {
    let top = PLACES
        .iter()
        .filter(|e| e.place.code.ends_with("00"))
        .filter(|e| e.place.name.chars().count() >= 2 && address.contains(e.place.name))
        .max_by_key(|e| (e.place.code.ends_with("0000"), e.place.name.len()))?;
    let code = top.place.code;
    let within = if code.ends_with("0000") {
        &code[..2]
    } else {
        &code[..4]
    };
    named_in(address, within).or_else(|| Some(top.place.clone()))
}

/// The place of a code, if the country has it.
pub fn by_code(code: &str) -> Option<Place> {
    PLACES
        .binary_search_by(|e| e.place.code.cmp(code))
        .ok()
        .map(|i| PLACES[i].place.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_names_its_county_within_a_province() {
        let p = named_in("长安区裕华路 12 号 3-2-501", "13").unwrap();
        assert_eq!((p.code, p.name), ("130102", "长安区"));
        // The same name elsewhere is not taken: 长安区 of 西安 is outside 13.
        assert_eq!(
            named_in("长安区某小区", "6101").map(|p| p.code),
            Some("610116")
        );
        assert_eq!(
            named_in("石家庄市某街道", "13").map(|p| p.code),
            Some("130100")
        );
        assert_eq!(named_in("某小区 5 号楼", "13"), None);
        // 桥西区 is in three cities of Hebei: the one whose city is named, else the first.
        assert_eq!(
            named_in("张家口市桥西区某街", "13").map(|p| p.code),
            Some("130703")
        );
        assert_eq!(
            named_in("桥西区某街", "1301").map(|p| p.code),
            Some("130104")
        );
    }

    #[test]
    fn names_initials_and_codes_find_their_place() {
        let sjz = search("石家庄", 5);
        assert_eq!(sjz[0].code, "130100", "{sjz:?}");
        assert_eq!(sjz[0].within, "河北省");
        assert_eq!(search("sjz", 5)[0].code, "130100");
        assert_eq!(search("SJZ", 5)[0].code, "130100", "initials in capitals");
        assert_eq!(search("1301", 1)[0].code, "130100");
        // Every division of the country, not only the demo province's.
        assert_eq!(search("朝阳区", 10).len(), 2, "Beijing's and Changchun's");
        assert!(search("雄县", 5).iter().any(|p| p.within.contains("河北")));
        assert!(search("乌鲁木齐", 5).iter().any(|p| p.code == "650100"));
        assert!(search("", 5).is_empty());
        assert!(search("不存在的地方", 5).is_empty());
        assert_eq!(search("区", 500).len(), MAX_ANSWERS);
    }

    #[test]
    fn the_directory_is_sorted_by_code_and_every_code_parses() {
        assert!(PLACES.len() > 3_000);
        for w in PLACES.windows(2) {
            assert!(w[0].place.code < w[1].place.code);
        }
        for e in PLACES.iter() {
            crate::division::DivisionCode::parse(e.place.code)
                .unwrap_or_else(|err| panic!("{}: {err:?}", e.place.code));
        }
        assert_eq!(by_code("130102").unwrap().name, "长安区");
        assert!(by_code("139999").is_none());
    }
}
