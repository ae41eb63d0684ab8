use application::ports::SignInOrigin;
use salvo::http::header::USER_AGENT;
use salvo::prelude::Request;

use super::device_name::device_name;
use super::state::ApiState;

/// Where a request comes from as its account's owner will see it: the client's
/// address (as the trusted proxies tell it) and its device's short name.
pub(crate) fn sign_in_origin(state: &ApiState, req: &Request) -> SignInOrigin {
    let agent = req.headers().get(USER_AGENT).and_then(|agent| agent.to_str().ok());
    SignInOrigin::new(state.client_ip.resolve(req), device_name(agent))
}
