use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 5, 3).unwrap()
}

fn row(n: u32) -> ListRowRequest {
    ListRowRequest {
        row: n,
        name: "张三".into(),
        document: Some(DocumentRequest {
            kind: "resident_id".into(),
            number: "11010519491231002X".into(),
        }),
        phone: Some("13812345678".into()),
        from: Some("北京市朝阳区".into()),
        arrived_on: Some("2022年5月2日".into()),
        address: Some("石家庄市长安区某小区 3-2-501".into()),
        note: None,
    }
}

#[test]
fn a_row_with_a_document_is_matched_by_it() {
    let r = row(1).parse(today()).unwrap();
    assert_eq!(r.arrived_on, NaiveDate::from_ymd_opt(2022, 5, 2));
    assert!(matches!(r.identity(), Identity::Document(_)));
}

#[test]
fn a_row_without_one_is_matched_by_phone_and_name() {
    let mut a = row(1);
    a.document = None;
    a.name = "Li Si".into();
    let mut b = a.clone();
    b.name = "LI SI".into();
    let (a, b) = (a.parse(today()).unwrap(), b.parse(today()).unwrap());
    assert_eq!(a.identity(), b.identity());
    assert!(matches!(a.identity(), Identity::PhoneAndName(_)));
}

#[test]
fn every_problem_of_every_row_is_said() {
    let mut bad = row(2);
    bad.document = None;
    bad.phone = Some("123".into());
    bad.arrived_on = Some("2022-13-40".into());
    let mut nobody = row(3);
    nobody.document = None;
    nobody.phone = None;
    let list = ListRequest {
        id: Uuid::nil(),
        label: "北京市推送".into(),
        deadline_hours: Some(0),
        rows: vec![row(1), bad, nobody, row(1)],
    };
    let found = list.parse(today()).unwrap_err();
    let fields: Vec<_> = found.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "deadline_hours",
            "rows[1].phone",
            "rows[1].arrived_on",
            "rows[2].phone",
            "rows[3].row"
        ]
    );
}

#[test]
fn days_in_the_forms_lists_use() {
    for s in [
        "2022-05-02",
        "2022/5/2",
        "2022年5月2日",
        "2022.05.02",
        "2022-05-02 10:00",
    ] {
        assert_eq!(parse_day(s), NaiveDate::from_ymd_opt(2022, 5, 2), "{s}");
    }
    assert_eq!(parse_day("5月2日"), None);
}

#[test]
fn an_address_outside_the_province_is_a_transfer_out() {
    let hebei = crate::division::DivisionCode::parse("130100").unwrap();
    let here = row(1).parse(today()).unwrap();
    assert_eq!(here.outside(hebei), None, "石家庄 is in the province");
    let mut away = row(2);
    away.address = Some("北京市海淀区某小区".into());
    let away = away.parse(today()).unwrap();
    assert_eq!(
        away.outside(hebei).map(|d| d.to_string()),
        Some("110108".into())
    );
    assert_eq!(away.county(hebei), None, "nobody here calls them");
    let mut nowhere = row(3);
    nowhere.address = Some("某小区".into());
    assert_eq!(nowhere.parse(today()).unwrap().outside(hebei), None);
}
