use super::*;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2022-05-03T08:00:00+08:00").unwrap()
}

#[test]
fn pools_are_one_five_ten_or_twenty() {
    for n in [1, 5, 10, 20] {
        assert_eq!(PoolSize::parse(n).unwrap().get(), n);
    }
    for n in [0, 2, 11, 100] {
        assert_eq!(PoolSize::parse(n).unwrap_err().code, "invalid_pool_size");
    }
}

#[test]
fn barcodes_are_read_as_printed_and_numbered_in_their_series() {
    let b = Barcode::parse(" hb2022050300017 ").unwrap();
    assert_eq!(b.as_str(), "HB2022050300017");
    assert_eq!(b.serial(), Some(("HB", 2022050300017)));
    assert_eq!(Barcode::parse("AB-CDEF").unwrap().serial(), None);
    for bad in ["", "12345", "HB 2022 0503", "管-123456", &"1".repeat(33)] {
        assert!(Barcode::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_campaign_is_checked_whole() {
    let req = CampaignRequest {
        name: " ".into(),
        area: "13010".into(),
        deadline: "2022-05-02T12:00:00+08:00".into(),
        pool_size: Some(7),
    };
    let fields: Vec<String> = req
        .parse(now())
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["name", "area", "deadline", "pool_size"]);
    let ok = CampaignRequest {
        name: "长安区全员核酸".into(),
        area: "130102".into(),
        deadline: "2022-05-04T12:00:00+08:00".into(),
        pool_size: None,
    };
    assert_eq!(ok.parse(now()).unwrap().pool_size, PoolSize::DEFAULT);
}

#[test]
fn gaps_in_a_printed_series_are_found() {
    let codes: Vec<Barcode> = [
        "HB0017",
        "HB0018",
        "HB0021",
        "HB0025",
        "XY-00007",
        "NOSERIES-",
    ]
    .iter()
    .filter_map(|c| Barcode::parse(c).ok())
    .collect();
    let found = series(&codes);
    assert_eq!(found.len(), 2);
    let hb = &found[0];
    assert_eq!(
        (hb.series.as_str(), hb.first, hb.last, hb.used, hb.missing),
        ("HB", 17, 25, 4, 5)
    );
    assert_eq!(hb.width, 4, "HB0017 has four digits");
    assert_eq!(
        hb.gaps,
        vec![Gap { from: 19, to: 20 }, Gap { from: 22, to: 24 }]
    );
    assert_eq!((found[1].series.as_str(), found[1].missing), ("XY-", 0));
}
