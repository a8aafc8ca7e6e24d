use super::*;

#[test]
fn times_have_the_schema_shape() {
    assert_eq!(schema_time(0), "1970-01-01T00:00:00");
    assert_eq!(schema_time(1_714_572_000), "2024-05-01T14:00:00");
}

#[test]
fn names_are_capitalised_titles() {
    assert_eq!(name(Kind::AccessKey), "Long-term AWS access key");
    assert_eq!(name(Kind::PresignedUrl), "Presigned AWS URL");
}

#[test]
fn every_risk_has_its_severity() {
    let got: Vec<&str> = Risk::ALL.iter().map(|r| severity(*r)).collect();
    assert_eq!(got, ["Critical", "High", "Medium", "Low", "Info"]);
}
