//! Demo traffic: a population of persons and vehicles with homes in the province's cities (and
//! some from neighbouring provinces), and their passages through the checkpoints over the last
//! days, with a day-and-night rhythm. The same people travel together again and again, so that
//! trajectories and traces have something to find.

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use cordon_domain::contact::MobileNumber;
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::{check_char, DocumentType, IdentityDocument};
use cordon_domain::passage::{
    Direction, GoodsCategory, HealthCode, LatestTest, Occupant, PassageDraft, Role, Temperature,
    TestKind, TestResult, Vehicle, VehicleClass,
};
use cordon_domain::person::{PersonName, PersonalData};
use cordon_domain::plate::{Plate, PlateColor};
use cordon_server::policy::decide::Engine;
use cordon_store::keyring::Keyring;
use cordon_store::NewPassage;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::Rng;
use uuid::Uuid;

use super::hebei::{CITIES, GIVEN, NEIGHBOUR_DIVISIONS, NEIGHBOUR_PLATES, SURNAMES};
use super::network::DemoCheckpoint;

/// Vehicles through all checkpoints in one day at `scale = 1.0`: a province at the height of
/// the controls, about a million vehicles and two million person-passages a day.
pub const VEHICLES_PER_DAY_AT_SCALE_1: f64 = 1_000_000.0;

/// Relative traffic by hour of day, midnight first.
const HOURLY: [f64; 24] = [
    0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.4, 1.8, 1.7, 1.5, 1.4, 1.2, 1.3, 1.4, 1.5, 1.7, 1.8,
    1.5, 1.1, 0.9, 0.7, 0.5, 0.4,
];

struct DemoVehicle {
    vehicle: Vehicle,
    driver: usize,
    companions: Vec<usize>,
}

/// Persons and vehicles, grouped by home city (the last group comes from outside the province).
pub struct Population {
    persons: Vec<PersonalData>,
    homes: Vec<u32>,
    vehicles_by_city: Vec<Vec<DemoVehicle>>,
}

pub fn resident_id(rng: &mut SmallRng, county: u32) -> String {
    let year = rng.gen_range(1950..2006);
    let month = rng.gen_range(1..=12);
    let day = rng.gen_range(1..=28);
    let seq = rng.gen_range(0..1000);
    let mut s = format!("{county:06}{year:04}{month:02}{day:02}{seq:03}").into_bytes();
    s.push(check_char(&s));
    String::from_utf8(s).expect("ascii")
}

fn person(rng: &mut SmallRng, county: u32) -> PersonalData {
    let number = resident_id(rng, county);
    let name = format!(
        "{}{}",
        SURNAMES.choose(rng).unwrap(),
        GIVEN.choose(rng).unwrap()
    );
    let phone = format!(
        "1{}{:09}",
        rng.gen_range(3..=9),
        rng.gen_range(0..1_000_000_000u64)
    );
    PersonalData {
        document: IdentityDocument::parse(DocumentType::ResidentId, &number)
            .expect("generated ids are valid"),
        name: PersonName::parse(&name).expect("valid name"),
        phone: Some(MobileNumber::parse(&phone).expect("valid phone")),
    }
}

const SERIAL: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

fn plate(
    rng: &mut SmallRng,
    province: char,
    letter: char,
    class: VehicleClass,
) -> (Plate, PlateColor) {
    let mut serial: String = (0..5)
        .map(|_| SERIAL[rng.gen_range(0..SERIAL.len())] as char)
        .collect();
    let color = match class {
        VehicleClass::Truck | VehicleClass::Bus => PlateColor::Yellow,
        _ if rng.gen_bool(0.12) => {
            serial = format!(
                "D{}{:04}",
                SERIAL[rng.gen_range(0..SERIAL.len())] as char,
                rng.gen_range(0..10_000)
            );
            PlateColor::Green
        }
        _ => PlateColor::Blue,
    };
    let text = format!("{province}{letter}{serial}");
    (
        Plate::parse(&text).expect("generated plates are valid"),
        color,
    )
}

fn class(rng: &mut SmallRng) -> VehicleClass {
    match rng.gen::<f64>() {
        x if x < 0.70 => VehicleClass::Car,
        x if x < 0.85 => VehicleClass::Truck,
        x if x < 0.92 => VehicleClass::Van,
        x if x < 0.95 => VehicleClass::Bus,
        x if x < 0.98 => VehicleClass::Motorcycle,
        _ => VehicleClass::Special,
    }
}

impl Population {
    pub fn generate(rng: &mut SmallRng, vehicles_per_day: f64) -> Self {
        let n_persons = (vehicles_per_day * 0.8).max(5_000.0) as usize;
        let n_vehicles = (vehicles_per_day * 0.4).max(2_000.0) as usize;
        let groups = CITIES.len() + 1;
        let mut persons = Vec::with_capacity(n_persons);
        let mut homes = Vec::with_capacity(n_persons);
        for i in 0..n_persons {
            let g = i % groups;
            let county = match CITIES.get(g) {
                Some(c) if !c.counties.is_empty() => {
                    c.counties[rng.gen_range(0..c.counties.len())].0
                }
                Some(c) => c.code + 1,
                None => NEIGHBOUR_DIVISIONS[rng.gen_range(0..NEIGHBOUR_DIVISIONS.len())],
            };
            persons.push(person(rng, county));
            homes.push(county);
        }
        let mut vehicles_by_city: Vec<Vec<DemoVehicle>> = (0..groups).map(|_| Vec::new()).collect();
        for i in 0..n_vehicles {
            let g = i % groups;
            let (province, letter) = match CITIES.get(g) {
                Some(c) => ('冀', c.plate_letter),
                None => (
                    *NEIGHBOUR_PLATES.choose(rng).unwrap(),
                    (b'A' + rng.gen_range(0..8)) as char,
                ),
            };
            let class = class(rng);
            let (plate, plate_color) = plate(rng, province, letter, class);
            let pick = |rng: &mut SmallRng| {
                let k = rng.gen_range(0..n_persons / groups) * groups + g;
                k.min(n_persons - 1)
            };
            let driver = pick(rng);
            let companions = match class {
                VehicleClass::Bus => (0..rng.gen_range(10..40)).map(|_| pick(rng)).collect(),
                VehicleClass::Motorcycle => Vec::new(),
                _ => (0..rng.gen_range(0..4)).map(|_| pick(rng)).collect(),
            };
            // Most trucks in 2022 ran with a freight pass.
            let freight_pass = class == VehicleClass::Truck && rng.gen_bool(0.7);
            // Named from the plate, so the demo's random stream is as before.
            let goods = freight_pass.then(|| {
                let n: usize = plate.as_str().bytes().map(usize::from).sum();
                GoodsCategory::ALL[n % GoodsCategory::ALL.len()]
            });
            vehicles_by_city[g].push(DemoVehicle {
                vehicle: Vehicle {
                    plate,
                    plate_color,
                    class,
                    freight_pass,
                    goods,
                },
                driver,
                companions,
            });
        }
        Self {
            persons,
            homes,
            vehicles_by_city,
        }
    }
}

fn division(code: u32) -> DivisionCode {
    DivisionCode::parse(&format!("{code:06}"))
        .unwrap_or_else(|_| DivisionCode::parse("130100").expect("valid"))
}

fn occupant(
    rng: &mut SmallRng,
    pop: &Population,
    who: usize,
    role: Role,
    at: DateTime<FixedOffset>,
) -> Occupant {
    let health_code = match rng.gen::<f64>() {
        x if x < 0.97 => HealthCode::Green,
        x if x < 0.995 => HealthCode::Yellow,
        _ => HealthCode::Red,
    };
    let tenths = if rng.gen_bool(0.01) {
        rng.gen_range(373..=390)
    } else {
        rng.gen_range(358..=372)
    };
    let latest_test = rng.gen_bool(0.9).then(|| LatestTest {
        kind: if rng.gen_bool(0.8) {
            TestKind::Pcr
        } else {
            TestKind::Antigen
        },
        taken_at: at - Duration::minutes(rng.gen_range(60..96 * 60)),
        result: if rng.gen_bool(0.998) {
            TestResult::Negative
        } else {
            TestResult::Pending
        },
    });
    let home = pop.homes[who];
    let mut visited = vec![division(home)];
    if rng.gen_bool(0.2) {
        visited.push(division(
            NEIGHBOUR_DIVISIONS[rng.gen_range(0..NEIGHBOUR_DIVISIONS.len())],
        ));
    }
    Occupant {
        person: pop.persons[who].clone(),
        role,
        temperature_c: Some(Temperature::from_tenths(tenths)),
        health_code,
        latest_test,
        visited,
    }
}

/// One passage at `cp` at `at`.
pub fn passage(
    rng: &mut SmallRng,
    pop: &Population,
    cp: &DemoCheckpoint,
    at: DateTime<FixedOffset>,
) -> PassageDraft {
    let c = &cp.checkpoint;
    let id = Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        at.timestamp() as u64,
        rng.gen_range(0..1_000_000_000),
    ));
    let lane = rng.gen_range(1..=c.lanes);
    let direction = if rng.gen_bool(0.5) {
        Direction::In
    } else {
        Direction::Out
    };
    if c.kind == cordon_domain::checkpoint::CheckpointKind::RailwayStation {
        let who = rng.gen_range(0..pop.persons.len());
        return PassageDraft {
            id,
            checkpoint: c.code.clone(),
            lane,
            direction,
            observed_at: at,
            vehicle: None,
            origin: None,
            destination: None,
            occupants: vec![occupant(rng, pop, who, Role::Pedestrian, at)],
            supersedes: None,
        };
    }
    let group = if rng.gen_bool(0.8) {
        cp.city
    } else {
        rng.gen_range(0..pop.vehicles_by_city.len())
    };
    let pool = &pop.vehicles_by_city[group];
    let v = &pool[rng.gen_range(0..pool.len())];
    let mut occupants = vec![occupant(rng, pop, v.driver, Role::Driver, at)];
    let riders = if v.vehicle.class == VehicleClass::Bus {
        v.companions.len()
    } else {
        rng.gen_range(0..=v.companions.len())
    };
    for &p in v.companions.iter().take(riders) {
        if occupants
            .iter()
            .all(|o| o.person.document != pop.persons[p].document)
        {
            occupants.push(occupant(rng, pop, p, Role::Passenger, at));
        }
    }
    let home = division(pop.homes[v.driver]);
    let elsewhere = division(NEIGHBOUR_DIVISIONS[rng.gen_range(0..NEIGHBOUR_DIVISIONS.len())]);
    let (origin, destination) = if direction == Direction::In {
        (elsewhere, home)
    } else {
        (home, elsewhere)
    };
    PassageDraft {
        id,
        checkpoint: c.code.clone(),
        lane,
        direction,
        observed_at: at,
        vehicle: Some(v.vehicle.clone()),
        origin: Some(origin),
        destination: Some(destination),
        occupants,
        supersedes: None,
    }
}

/// How many passages each open checkpoint gets in each hour of the period: `(checkpoint, hour
/// start, count)`, in time order.
pub fn schedule(
    rng: &mut SmallRng,
    checkpoints: &[DemoCheckpoint],
    vehicles_per_day: f64,
    days: u32,
    now: DateTime<FixedOffset>,
) -> Vec<(usize, DateTime<FixedOffset>, u32)> {
    let open: Vec<usize> = (0..checkpoints.len())
        .filter(|&i| {
            checkpoints[i].checkpoint.status == cordon_domain::checkpoint::CheckpointStatus::Open
        })
        .collect();
    let total_weight: f64 = open.iter().map(|&i| checkpoints[i].weight).sum();
    let hour_sum: f64 = HOURLY.iter().sum();
    let china = cordon_domain::time::china();
    let today = now.date_naive();
    let mut out = Vec::new();
    for d in (0..=days).rev() {
        let date = today - Duration::days(i64::from(d));
        for (h, hw) in HOURLY.iter().enumerate() {
            let start = china
                .from_local_datetime(&date.and_hms_opt(h as u32, 0, 0).expect("valid hour"))
                .single()
                .expect("fixed offset");
            if start < now - Duration::days(i64::from(days)) || start + Duration::hours(1) > now {
                continue;
            }
            for &i in &open {
                let mean = vehicles_per_day * checkpoints[i].weight / total_weight * hw / hour_sum;
                let n = mean.floor() as u32 + u32::from(rng.gen_bool(mean.fract()));
                if n > 0 {
                    out.push((i, start, n));
                }
            }
        }
    }
    out
}

pub fn minute_in_hour(rng: &mut SmallRng, start: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    start + Duration::seconds(rng.gen_range(0..3600))
}

/// The registration with the decision the lane would have taken when it was observed.
pub fn with_decision(engine: &Engine, keyring: &Keyring, draft: PassageDraft) -> NewPassage {
    let at = draft.observed_at.timestamp_millis();
    NewPassage::decided(draft, keyring, |draft, persons| {
        engine.decide(draft, persons, Vec::new(), at)
    })
}
