//! Building dynamic queries from fixed fragments. Text can only be appended as `&'static str`
//! (so never a caller's value); values go in as bound parameters. The statement text depends
//! only on which filters are set, so the prepared-statement cache serves it.

use rusqlite::types::Value;

#[derive(Debug, Default)]
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Query {
    pub fn new(head: &'static str) -> Self {
        Self {
            sql: head.to_owned(),
            params: Vec::new(),
        }
    }

    /// Appends a fragment that holds no placeholders.
    pub fn push(&mut self, fragment: &'static str) -> &mut Self {
        self.sql.push_str(fragment);
        self
    }

    /// Appends a fragment with exactly one `?` and binds `value` to it.
    pub fn bind(&mut self, fragment: &'static str, value: impl Into<Value>) -> &mut Self {
        debug_assert_eq!(fragment.matches('?').count(), 1, "{fragment}");
        self.sql.push_str(fragment);
        self.params.push(value.into());
        self
    }

    /// Appends a fragment with several `?`, binding `values` in order.
    pub fn bind_all<const N: usize>(
        &mut self,
        fragment: &'static str,
        values: [Value; N],
    ) -> &mut Self {
        debug_assert_eq!(fragment.matches('?').count(), N, "{fragment}");
        self.sql.push_str(fragment);
        self.params.extend(values);
        self
    }

    pub fn params(&self) -> rusqlite::ParamsFromIter<std::slice::Iter<'_, Value>> {
        rusqlite::params_from_iter(self.params.iter())
    }
}
