//! A bound query argument, typed so that NULLs carry the column type PostgreSQL expects.

/// One argument of a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

macro_rules! from_value {
    ($variant:ident, $t:ty, $conv:expr) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                #[allow(clippy::redundant_closure_call)]
                Value::$variant(Some(($conv)(v)))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                #[allow(clippy::redundant_closure_call)]
                Value::$variant(v.map($conv))
            }
        }
    };
}

from_value!(Int, i64, |v| v);
from_value!(Int, i32, i64::from);
from_value!(Int, u32, i64::from);
from_value!(Float, f64, |v| v);
from_value!(Text, String, |v| v);
from_value!(Text, &str, |v: &str| v.to_owned());
from_value!(Text, &String, |v: &String| v.clone());
from_value!(Bool, bool, |v| v);
from_value!(Bytes, Vec<u8>, |v| v);

impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)))
    }
}
