/* response.c - answering: JSON bodies, errors in the CLI's shape, the headers every answer has. */
#include "serve/serve_internal.h"

#include "vrp/error.h"
#include "vrp/utf8.h"

#include <stdlib.h>
#include <string.h>

void serve_add_common_headers(struct MHD_Response *response)
{
	/* Never cached by the browser (the data changes under it), never sniffed as
	 * HTML, never framed by another page. No CORS headers: other origins get nothing. */
	if (!vrp_mhd->get_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL))
		vrp_mhd->add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	vrp_mhd->add_response_header(response, "X-Content-Type-Options", "nosniff");
	vrp_mhd->add_response_header(response, "X-Frame-Options", "DENY");
	vrp_mhd->add_response_header(response, "Referrer-Policy", "no-referrer");
}

enum MHD_Result serve_send(struct MHD_Connection *connection, unsigned status,
			   struct MHD_Response *response)
{
	if (!response)
		return MHD_NO;
	serve_add_common_headers(response);
	enum MHD_Result r = vrp_mhd->queue_response(connection, status, response);
	vrp_mhd->destroy_response(response);
	return r;
}

enum MHD_Result serve_send_json(struct MHD_Connection *connection, unsigned status, json_t *json)
{
	char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
	json_decref(json);
	if (!text)
		return MHD_NO;
	size_t len = strlen(text);
	struct MHD_Response *response =
		vrp_mhd->create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(text);
		return MHD_NO;
	}
	vrp_mhd->add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return serve_send(connection, status, response);
}

enum MHD_Result serve_send_error(struct MHD_Connection *connection, unsigned status,
				 const char *code, const char *message)
{
	json_t *o = json_pack("{s:{s:s, s:o}}", "error", "code", code, "message",
			      serve_json_string(message));
	return serve_send_json(connection, status, o);
}

unsigned serve_http_status(int rc)
{
	switch (rc) {
	case VRP_EINVAL:
	case VRP_EUSAGE:
		return MHD_HTTP_BAD_REQUEST;
	case VRP_ENOTFOUND:
	case VRP_EREMOTE_NOT_FOUND:
		return MHD_HTTP_NOT_FOUND;
	case VRP_EEXISTS:
	case VRP_ECONFLICT:
		return MHD_HTTP_CONFLICT;
	case VRP_EUNSUPPORTED_MEDIA:
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	case VRP_ECORRUPT_MEDIA:
	case VRP_EEMPTY:
	case VRP_ENOTFILE:
	case VRP_ECHECKSUM:
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	case VRP_ENOSPC:
		return MHD_HTTP_INSUFFICIENT_STORAGE;
	case VRP_ENOTSUP:
		return MHD_HTTP_NOT_IMPLEMENTED;
	case VRP_EBUSY:
	case VRP_EREADONLY:
	case VRP_EUNAVAILABLE:
	case VRP_ETRANSIENT:
	case VRP_ERATE_LIMIT:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	case VRP_EAUTH:
	case VRP_EAUTH_EXPIRED:
	case VRP_EQUOTA:
	case VRP_EPERMANENT:
		return MHD_HTTP_BAD_GATEWAY;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

enum MHD_Result serve_send_vrp_error(struct MHD_Connection *connection, int rc)
{
	const vrp_error *e = vrp_error_last();
	const char *message = e->code == rc && e->message[0] ? e->message : vrp_strerror(rc);
	return serve_send_error(connection, serve_http_status(rc), vrp_error_code_name(rc),
				message);
}

enum MHD_Result serve_send_static(struct MHD_Connection *connection, const char *content_type,
				  const void *data, size_t size)
{
	struct MHD_Response *response =
		vrp_mhd->create_response_from_buffer(size, (void *)data, MHD_RESPMEM_PERSISTENT);
	if (!response)
		return MHD_NO;
	vrp_mhd->add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	/* The page loads nothing from elsewhere; a script injected through data could
	 * not load any either. */
	vrp_mhd->add_response_header(
		response, "Content-Security-Policy",
		"default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
		"style-src 'self'; script-src 'self'; connect-src 'self'; "
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
	return serve_send(connection, MHD_HTTP_OK, response);
}

const char *serve_query(struct serve_request *req, const char *name)
{
	const char *v = vrp_mhd->lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
	return v && *v ? v : NULL;
}

json_t *serve_json_string(const char *text)
{
	if (!text)
		return json_null();
	char *fixed = vrp_utf8_valid(text) ? NULL : vrp_utf8_sanitize(text);
	json_t *s = json_string(fixed ? fixed : text);
	free(fixed);
	return s ? s : json_null();
}
