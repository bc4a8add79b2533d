//! The registration contract's tests: identifiers, and requests parsed into drafts.

mod id_tests {
    use super::super::*;

    #[test]
    fn ids_have_one_spelling() {
        let v7 = "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01";
        assert_eq!(parse_id(v7).unwrap().to_string(), v7);
        assert!(parse_id(&v7.to_uppercase()).is_ok());
        assert!(
            parse_id("7c9e6679-7425-40de-944b-e07fc1f90ae7").is_ok(),
            "version 4"
        );
        for bad in [
            "00000000-0000-0000-0000-000000000000",
            "{0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01}",
            "urn:uuid:0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01",
            "0190f5c27d4e7b2a9c1e3f6a2b8d9e01",
            "0190f5c2-7d4e-1b2a-9c1e-3f6a2b8d9e01",
            "0190f5c2-7d4e-7b2a-1c1e-3f6a2b8d9e01",
            "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e0g",
            "0190f5c2+7d4e-7b2a-9c1e-3f6a2b8d9e01",
            "",
        ] {
            assert_eq!(parse_id(bad).unwrap_err().code, "invalid_id", "{bad}");
        }
    }

    proptest::proptest! {
        /// The document's pattern accepts exactly what the parser accepts.
        #[test]
        fn the_id_pattern_says_what_parse_accepts(
            s in "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-gA-F]{4}-[0-9a-fA-F]{12}",
        ) {
            let pattern = regex::Regex::new(ID_PATTERN).unwrap();
            proptest::prop_assert_eq!(pattern.is_match(&s), parse_id(&s).is_ok(), "{:?}", s);
        }
    }
}

mod requests {
    use super::super::*;

    pub(crate) fn example() -> serde_json::Value {
        serde_json::json!({"id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01", "checkpoint": "CP-130100-0001", "lane": 2,
            "direction": "in", "observed_at": "2022-05-03T08:15:00+08:00",
            "vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
            "origin": "130100", "destination": "110105",
            "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
                           "name": "张三", "phone": "13812345678", "role": "driver", "temperature_c": 36.5,
                           "health_code": "green",
                           "latest_test": {"kind": "pcr", "taken_at": "2022-05-02T10:00:00+08:00", "result": "negative"},
                           "visited": ["130100"]}]})
    }

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-22T10:00:00+08:00").unwrap()
    }

    fn parse(v: serde_json::Value) -> Result<PassageDraft, FieldError> {
        serde_json::from_value::<PassageRequest>(v)
            .unwrap()
            .parse(now())
    }

    #[test]
    fn the_contract_example_parses() {
        let d = parse(example()).unwrap();
        assert_eq!(d.checkpoint.as_str(), "CP-130100-0001");
        assert_eq!(d.occupants[0].temperature_c.unwrap().celsius(), 36.5);
        assert_eq!(d.vehicle.as_ref().unwrap().plate.as_str(), "冀A12345");
    }

    #[test]
    fn errors_carry_the_field_path() {
        let cases: Vec<(&str, serde_json::Value, &str, &str)> = vec![
            (
                "/occupants/0/document/number",
                "11010519491231002Y".into(),
                "occupants[0].document.number",
                "invalid_check_digit",
            ),
            (
                "/occupants/0/phone",
                "12345".into(),
                "occupants[0].phone",
                "invalid_phone",
            ),
            (
                "/occupants/0/temperature_c",
                50.0.into(),
                "occupants[0].temperature_c",
                "out_of_range",
            ),
            (
                "/occupants/0/health_code",
                "purple".into(),
                "occupants[0].health_code",
                "invalid_value",
            ),
            (
                "/occupants/0/visited/0",
                "99".into(),
                "occupants[0].visited[0]",
                "invalid_division_code",
            ),
            (
                "/occupants/0/role",
                "passenger".into(),
                "occupants",
                "invalid_role",
            ),
            (
                "/vehicle/plate",
                "冀AI2345".into(),
                "vehicle.plate",
                "invalid_plate",
            ),
            (
                "/checkpoint",
                "CP-1".into(),
                "checkpoint",
                "invalid_checkpoint_code",
            ),
            ("/lane", 0.into(), "lane", "out_of_range"),
            (
                "/observed_at",
                "2030-01-01T00:00:00+08:00".into(),
                "observed_at",
                "in_the_future",
            ),
            (
                "/occupants/0/latest_test/taken_at",
                "2022-05-04T00:00:00+08:00".into(),
                "occupants[0].latest_test.taken_at",
                "after_passage",
            ),
            ("/occupants", serde_json::json!([]), "occupants", "required"),
        ];
        for (pointer, value, field, code) in cases {
            let mut body = example();
            *body.pointer_mut(pointer).unwrap() = value;
            let e = parse(body).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code.as_str()),
                (field, code),
                "{pointer}"
            );
        }
    }

    #[test]
    fn every_mistake_is_said_at_once() {
        let mut v = example();
        v["vehicle"]["plate"] = "冀A1".into();
        v["occupants"][0]["phone"] = "12345".into();
        v["occupants"][0]["name"] = "".into();
        let mut second = v["occupants"][0].clone();
        second["role"] = "passenger".into();
        second["document"]["number"] = "11010519491231002Y".into();
        second["health_code"] = "".into();
        v["occupants"].as_array_mut().unwrap().push(second);
        let found = serde_json::from_value::<PassageRequest>(v)
            .unwrap()
            .parse_all(now())
            .unwrap_err();
        let fields: Vec<_> = found.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "vehicle.plate",
                "occupants[0].name",
                "occupants[0].phone",
                "occupants[1].document.number",
                "occupants[1].name",
                "occupants[1].phone",
                "occupants[1].health_code",
            ]
        );
    }

    #[test]
    fn duplicate_and_pedestrian_rules() {
        let mut body = example();
        let mut second = body["occupants"][0].clone();
        second["role"] = "passenger".into();
        body["occupants"].as_array_mut().unwrap().push(second);
        let e = parse(body).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("occupants[1].document", "duplicate_occupant")
        );

        let mut walker = example();
        walker.as_object_mut().unwrap().remove("vehicle");
        assert_eq!(
            parse(walker.clone()).unwrap_err().field,
            "occupants[0].role"
        );
        walker["occupants"][0]["role"] = "pedestrian".into();
        assert!(parse(walker).unwrap().vehicle.is_none());
    }

    #[test]
    fn fingerprint_is_the_normal_form() {
        let a = parse(example()).unwrap();
        let mut body = example();
        body["occupants"][0]["document"]["number"] = "11010519491231002x".into();
        body["vehicle"]["plate"] = "冀a12345".into();
        assert_eq!(parse(body).unwrap().fingerprint(), a.fingerprint());
        let mut other = example();
        other["lane"] = 3.into();
        assert_ne!(parse(other).unwrap().fingerprint(), a.fingerprint());
    }
}
