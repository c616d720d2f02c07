//! The database the window is using now, and the ones it knows (see
//! `gurumisha_api::connections`). Switching opens the other database and replaces the API
//! every command uses.

use gurumisha_api::connections::{self, AddConnectionRequest, ConnectionInfo, Connections};
use gurumisha_api::{Api, ApiError, Config};
use std::sync::RwLock;

pub struct Live {
    api: RwLock<Api>,
    id: RwLock<String>,
    connections: Connections,
}

impl Live {
    /// The API opened from the environment at start-up.
    pub fn new(api: Api, environment: Option<String>) -> Self {
        let id = if environment.is_some() {
            connections::ENVIRONMENT
        } else {
            connections::EMBEDDED
        };
        Self {
            api: RwLock::new(api),
            id: RwLock::new(id.to_owned()),
            connections: Connections::new(Connections::default_file(), environment),
        }
    }

    /// The live API (cheap to clone).
    pub fn api(&self) -> Api {
        self.api.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn list(&self) -> Result<Vec<ConnectionInfo>, ApiError> {
        let id = self.id.read().unwrap_or_else(|e| e.into_inner()).clone();
        self.connections.list(&id)
    }

    pub fn add(&self, req: AddConnectionRequest) -> Result<String, ApiError> {
        self.connections.add(req)
    }

    pub fn remove(&self, id: &str) -> Result<(), ApiError> {
        if *self.id.read().unwrap_or_else(|e| e.into_inner()) == id {
            return Err(ApiError::invalid(
                "invalid id: the live connection cannot be removed; switch first",
            ));
        }
        self.connections.remove(id)
    }

    /// Opens connection `id` (migrating it like any start-up) and makes it live.
    pub async fn switch(&self, id: &str) -> Result<(), ApiError> {
        let url = match self.connections.url_of(id)? {
            Some(url) => url,
            None => format!(
                "sqlite://{}",
                gurumisha_api::config::default_sqlite_path().display()
            ),
        };
        let api = Api::open_with(Config::from_env()?.with_database_url(Some(url))).await?;
        *self.api.write().unwrap_or_else(|e| e.into_inner()) = api;
        *self.id.write().unwrap_or_else(|e| e.into_inner()) = id.to_owned();
        tracing::info!(connection = id, "switched database");
        Ok(())
    }
}
