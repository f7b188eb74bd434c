package dev.lockmanager.lock.web;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.PathContainer;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.accept.ContentNegotiationManager;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.util.ServletRequestPathUtils;

import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.TooManyWaitersException;
import dev.lockmanager.lock.redis.ClientLeases;

/**
 * The HTTP lock API: {@code POST} acquires, {@code PUT} renews, {@code DELETE} releases and {@code GET} inspects the
 * lock at {@code {base-path}/{name}} or {@code {base-path}/{name}/{key}}. The holder proves ownership with the token
 * it got from {@code POST}, sent back in the {@value #LOCK_TOKEN} header; the token never appears in a URL, in a
 * {@code GET} answer or in a log line. Every error is a problem detail, answered by this controller's own exception
 * handlers so that the application's {@code @ControllerAdvice} cannot change the API's contract. Not final, so that
 * an application's aspects on {@code @RestController} beans (logging, metrics) can proxy it.
 */
@RestController
@RequestMapping("${distributed-lock.http.base-path:/locks}")
class LockApiController {

	static final String LOCK_TOKEN = "Lock-Token";

	/** A 503 is retried after this long. */
	static final Duration UNAVAILABLE_RETRY_AFTER = Duration.ofSeconds(1);

	private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{32}");

	private static final Log logger = LogFactory.getLog(LockApiController.class);

	private final ClientLeases leases;

	private final Clock clock;

	private final String basePath;

	private final ContentNegotiationManager contentNegotiation;

	LockApiController(ClientLeases leases, Clock clock, String basePath, ContentNegotiationManager contentNegotiation) {
		this.leases = leases;
		this.clock = clock;
		this.basePath = basePath;
		this.contentNegotiation = contentNegotiation;
	}

	@PostMapping({ "/{name}", "/{name}/{key}" })
	ResponseEntity<Granted> acquire(@PathVariable String name, @PathVariable(required = false) String key,
			@RequestBody(required = false) Map<String, Object> body, HttpServletRequest request)
			throws HttpMediaTypeNotAcceptableException {
		requireJsonAccepted(request);
		LockAddress lock = address(name, key, request);
		LeaseTerms terms = LeaseTerms.ofAcquisition(body);
		ClientLeases.Grant grant = this.leases
			.acquire(new LockRequest(lock.name(), lock.key(), terms.ttl(), terms.waitTime(), false));
		if (logger.isDebugEnabled()) {
			logger.debug("HTTP client acquired " + grant);
		}
		return ResponseEntity.created(URI.create(request.getRequestURI()))
			.body(new Granted(grant.name(), grant.key(), grant.token(), grant.fencingToken(),
					LeaseTerms.print(grant.ttl()), grant.acquiredAt().plus(grant.ttl()).toString()));
	}

	@PutMapping({ "/{name}", "/{name}/{key}" })
	ResponseEntity<?> renew(@PathVariable String name, @PathVariable(required = false) String key,
			@RequestBody(required = false) Map<String, Object> body, HttpServletRequest request)
			throws HttpMediaTypeNotAcceptableException {
		requireJsonAccepted(request);
		LockAddress lock = address(name, key, request);
		String owner = requireToken(request);
		Duration ttl = LeaseTerms.ofRenewal(body);
		Instant renewedAt = this.clock.instant();
		boolean renewed = this.leases.renew(lock.name(), lock.key(), owner, ttl);
		if (logger.isDebugEnabled()) {
			logger.debug("HTTP client " + (renewed ? "renewed" : "could not renew") + " the lease on " + describe(lock));
		}
		if (!renewed) {
			return problem(Problems.of(HttpStatus.GONE, "Lease gone", "LEASE_GONE", "The lease on " + describe(lock)
					+ " is not held with this token: it expired, was released or is held by another client"));
		}
		return ResponseEntity
			.ok(new Renewed(lock.name(), lock.key(), LeaseTerms.print(ttl), renewedAt.plus(ttl).toString()));
	}

	@DeleteMapping({ "/{name}", "/{name}/{key}" })
	ResponseEntity<?> release(@PathVariable String name, @PathVariable(required = false) String key,
			HttpServletRequest request) {
		LockAddress lock = address(name, key, request);
		String owner = requireToken(request);
		boolean released = this.leases.release(lock.name(), lock.key(), owner);
		if (logger.isDebugEnabled()) {
			logger.debug("HTTP client " + (released ? "released" : "could not release") + " the lease on "
					+ describe(lock));
		}
		if (!released) {
			return problem(Problems.of(HttpStatus.NOT_FOUND, "Lease not held", "NOT_HELD", "The lease on "
					+ describe(lock) + " is not held with this token (it expired, was already released or is held "
					+ "by another client): nothing was deleted"));
		}
		return ResponseEntity.noContent().build();
	}

	@GetMapping({ "/{name}", "/{name}/{key}" })
	Status inspect(@PathVariable String name, @PathVariable(required = false) String key, HttpServletRequest request)
			throws HttpMediaTypeNotAcceptableException {
		requireJsonAccepted(request);
		LockAddress lock = address(name, key, request);
		ClientLeases.LockState state = this.leases.inspect(lock.name(), lock.key());
		return new Status(state.name(), state.key(), state.held(), LeaseTerms.print(state.remaining()),
				state.fencingToken());
	}

	/**
	 * Everything else under the base path: a method the lock resources do not support, or no resource at all.
	 */
	@RequestMapping({ "", "/**" })
	ResponseEntity<ProblemDetail> unmapped(HttpServletRequest request) {
		String path = ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication().value();
		String below = path.substring(Math.min(path.length(), this.basePath.length()));
		String[] segments = below.isEmpty() ? new String[0] : below.substring(1).split("/", -1);
		if (segments.length >= 1 && segments.length <= 2) {
			for (int i = 0; i < segments.length; i++) {
				if (segments[i].isEmpty()) {
					String field = (i == 0) ? "name" : "key";
					throw new InvalidFieldException(field, field + " must not be empty");
				}
			}
			return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
				.header(HttpHeaders.ALLOW, "GET, HEAD, POST, PUT, DELETE, OPTIONS")
				.body(Problems.of(HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed", "METHOD_NOT_ALLOWED",
						"A lock supports GET, POST, PUT and DELETE, not " + request.getMethod()));
		}
		return problem(Problems.of(HttpStatus.NOT_FOUND, "Not found", "NOT_FOUND",
				"No lock here: locks are addressed as {base-path}/{name} or {base-path}/{name}/{key}"));
	}

	/**
	 * Content negotiation before anything happens: refused after the handler ran, a lease would be granted (or
	 * renewed) and its answer with the token lost.
	 */
	private void requireJsonAccepted(HttpServletRequest request) throws HttpMediaTypeNotAcceptableException {
		List<MediaType> accepted = this.contentNegotiation.resolveMediaTypes(new ServletWebRequest(request));
		if (accepted.stream().noneMatch(MediaType.APPLICATION_JSON::isCompatibleWith)) {
			throw new HttpMediaTypeNotAcceptableException(List.of(MediaType.APPLICATION_JSON));
		}
	}

	/**
	 * The lock the path addresses. Spring MVC cuts a path segment at a ';' (what follows are matrix variables), so
	 * {@code /locks/n/k;x} would lock key {@code k}: a literal ';' is refused rather than lock something else.
	 */
	private static LockAddress address(String name, String key, HttpServletRequest request) {
		List<String> segments = ServletRequestPathUtils.getParsedRequestPath(request)
			.pathWithinApplication()
			.elements()
			.stream()
			.filter(PathContainer.PathSegment.class::isInstance)
			.map(PathContainer.Element::value)
			.toList();
		int first = segments.size() - ((key != null) ? 2 : 1);
		for (int i = Math.max(first, 0); i < segments.size(); i++) {
			if (segments.get(i).indexOf(';') >= 0) {
				String field = (i == first) ? "name" : "key";
				throw new InvalidFieldException(field, field + " must not contain a literal ';', which would cut it "
						+ "short (Spring MVC reads what follows as matrix variables); send a ';' percent-encoded as %3B");
			}
		}
		return LockAddress.of(name, key);
	}

	/**
	 * The lease's token, read from the request rather than bound as a handler argument: Spring MVC logs the arguments
	 * of handler methods at TRACE.
	 */
	private static String requireToken(HttpServletRequest request) {
		String token = request.getHeader(LOCK_TOKEN);
		if (token == null || token.isBlank()) {
			throw new InvalidFieldException(LOCK_TOKEN,
					"The " + LOCK_TOKEN + " header is required: the token returned when the lease was acquired");
		}
		if (!TOKEN.matcher(token).matches()) {
			// Never echo the value: it may be a real token with a typo.
			throw new InvalidFieldException(LOCK_TOKEN, "The " + LOCK_TOKEN
					+ " header must be the 32 lowercase hexadecimal characters returned when the lease was acquired");
		}
		return token;
	}

	private static String describe(LockAddress lock) {
		return "key '" + lock.key() + "' (name '" + lock.name() + "')";
	}

	private static ResponseEntity<ProblemDetail> problem(ProblemDetail problem) {
		return ResponseEntity.status(problem.getStatus()).body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unauthenticated(LockApiAuthenticationException ex) {
		return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
			.header(HttpHeaders.WWW_AUTHENTICATE, ex.challenge())
			.body(Problems.of(HttpStatus.UNAUTHORIZED, "Unauthorized", "UNAUTHORIZED", ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidField(InvalidFieldException ex) {
		return problem(Problems.invalidField(ex.field(), ex.getMessage()));
	}

	/**
	 * Limits enforced by the lock manager: a ttl above {@code max-ttl} or a wait time above {@code max-wait-time}.
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> outOfRange(IllegalArgumentException ex) {
		String message = String.valueOf(ex.getMessage());
		String field = message.startsWith("waitTime") ? "waitTime" : message.startsWith("ttl") ? "ttl" : null;
		return problem(Problems.invalidField(field, message));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> malformedBody(HttpMessageNotReadableException ex) {
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "Malformed request body", "MALFORMED_BODY",
				"The body must be a JSON object such as {\"ttl\": \"10s\", \"waitTime\": \"2s\"}");
		problem.setProperty("field", "body");
		return problem(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unsupportedContentType(HttpMediaTypeNotSupportedException ex) {
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "Unsupported content type",
				"UNSUPPORTED_CONTENT_TYPE", "Content-Type must be application/json but was " + ex.getContentType());
		problem.setProperty("field", HttpHeaders.CONTENT_TYPE);
		return problem(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> backendUnavailable(LockBackendUnavailableException ex) {
		return unavailable(ex, "Lock backend unavailable", "BACKEND_UNAVAILABLE",
				"Redis could not be reached; nothing was changed that will outlive its ttl. Try again later");
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> tooManyWaiters(TooManyWaitersException ex) {
		return unavailable(ex, "Too many waiters", "TOO_MANY_WAITERS",
				"Too many requests already wait for locks on this instance (distributed-lock.max-waiters); "
						+ "nothing was acquired. Try again later");
	}

	private static ResponseEntity<ProblemDetail> unavailable(LockNotAcquiredException ex, String title, String code,
			String detail) {
		logger.warn("HTTP lock API: " + ex.getMessage());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(UNAVAILABLE_RETRY_AFTER.toSeconds()))
			.body(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, title, code, detail));
	}

	/**
	 * Not acquired within the wait time: the holder's remaining time, read once more, tells the client when to try
	 * again.
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> held(LockNotAcquiredException ex) {
		LockAddress lock = new LockAddress(ex.getName(), ex.getKey());
		ProblemDetail problem = Problems.of(HttpStatus.CONFLICT, "Lock held", "LOCK_HELD",
				"The lock on " + describe(lock) + " is held by another client");
		ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.CONFLICT);
		ClientLeases.LockState state = null;
		try {
			state = this.leases.inspect(lock.name(), lock.key());
		}
		catch (LockBackendUnavailableException unavailable) {
			// The holder's remaining time is unknown: say so by leaving it out.
		}
		if (state != null && state.held()) {
			problem.setDetail(problem.getDetail() + "; its lease runs for another " + LeaseTerms.print(state.remaining())
					+ " unless released or renewed");
			problem.setProperty("remaining", LeaseTerms.print(state.remaining()));
			response.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, ceilSeconds(state.remaining()))));
		}
		else {
			response.header(HttpHeaders.RETRY_AFTER, (state != null) ? "0" : "1");
		}
		return response.body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unexpected(Exception ex) {
		if (ex instanceof ErrorResponse error) {
			// Spring MVC's own refusals (406 Not Acceptable and the like) keep their status.
			ProblemDetail problem = error.getBody();
			problem.setProperty("code", HttpStatus.valueOf(problem.getStatus()).name());
			return ResponseEntity.status(error.getStatusCode()).headers(error.getHeaders()).body(problem);
		}
		logger.error("HTTP lock API request failed", ex);
		return problem(Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "INTERNAL_ERROR",
				"The request failed on the server; see its log"));
	}

	private static long ceilSeconds(Duration duration) {
		return (duration.toMillis() + 999) / 1000;
	}

	/**
	 * The answer to a granted {@code POST}.
	 */
	@JsonPropertyOrder({ "name", "key", "token", "fencingToken", "ttl", "expiresAt" })
	record Granted(@JsonProperty("name") String name, @JsonProperty("key") String key,
			@JsonProperty("token") String token, @JsonProperty("fencingToken") long fencingToken,
			@JsonProperty("ttl") String ttl, @JsonProperty("expiresAt") String expiresAt) {

		@Override
		public String toString() {
			// Spring MVC logs response bodies at DEBUG: never the token.
			return "Granted[name=" + this.name + ", key=" + this.key + ", fencingToken=" + this.fencingToken + ", ttl="
					+ this.ttl + ", expiresAt=" + this.expiresAt + "]";
		}

	}

	/**
	 * The answer to a successful {@code PUT}.
	 */
	@JsonPropertyOrder({ "name", "key", "ttl", "expiresAt" })
	record Renewed(@JsonProperty("name") String name, @JsonProperty("key") String key, @JsonProperty("ttl") String ttl,
			@JsonProperty("expiresAt") String expiresAt) {
	}

	/**
	 * The answer to a {@code GET}: never the holder's token.
	 */
	@JsonPropertyOrder({ "name", "key", "held", "remaining", "fencingToken" })
	record Status(@JsonProperty("name") String name, @JsonProperty("key") String key,
			@JsonProperty("held") boolean held, @JsonProperty("remaining") String remaining,
			@JsonProperty("fencingToken") long fencingToken) {
	}

}
