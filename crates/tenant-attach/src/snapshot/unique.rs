//! Maps that refuse duplicate keys. serde keeps the last of two equal keys silently, while a
//! struct refuses a duplicate field: the same document would mean what its last line says.
//! Every map of the contract but the free `x` is read through [`map`] or [`option_map`], so a
//! repeated key is an input error at the map's JSON path, naming the key.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};

/// A map whose keys are all distinct.
pub(crate) fn map<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Serialize + Ord,
    V: Deserialize<'de>,
{
    d.deserialize_map(Unique(PhantomData))
}

/// An optional map whose keys are all distinct (absent or `null` is `None`).
pub(crate) fn option_map<'de, D, K, V>(d: D) -> Result<Option<BTreeMap<K, V>>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Serialize + Ord,
    V: Deserialize<'de>,
{
    d.deserialize_option(Optional(PhantomData))
}

struct Unique<K, V>(PhantomData<(K, V)>);

impl<'de, K, V> Visitor<'de> for Unique<K, V>
where
    K: Deserialize<'de> + Serialize + Ord,
    V: Deserialize<'de>,
{
    type Value = BTreeMap<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = access.next_key::<K>()? {
            if out.contains_key(&key) {
                let name = serde_json::to_value(&key)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                return Err(A::Error::custom(format!("duplicate key `{name}`")));
            }
            let value = access.next_value()?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

struct Optional<K, V>(PhantomData<(K, V)>);

impl<'de, K, V> Visitor<'de> for Optional<K, V>
where
    K: Deserialize<'de> + Serialize + Ord,
    V: Deserialize<'de>,
{
    type Value = Option<BTreeMap<K, V>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map or null")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        map(d).map(Some)
    }
}
