package dev.lockmanager.sample.orders;

import java.time.Duration;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;

/**
 * Errors as RFC 9457 problem details, each with a {@code code}: 400 for bad input (naming the field), 404 for an
 * unknown item, 409 for insufficient stock, 413 for a body over {@code orders.max-body-size}, 503 with
 * {@code Retry-After} when the lock could not be obtained in time; Spring MVC's other refusals with their status name.
 */
@RestControllerAdvice
public class OrderProblems extends ResponseEntityExceptionHandler {

	/** How long a client should wait before retrying after a 503. */
	static final Duration RETRY_AFTER = Duration.ofSeconds(1);

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unknownItem(UnknownItemException ex) {
		ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "Unknown item", "UNKNOWN_ITEM", ex.getMessage());
		problem.setProperty("item_name", ex.getItemName());
		return ResponseEntity.of(problem).build();
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unknownOrder(UnknownOrderException ex) {
		ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "Unknown order", "UNKNOWN_ORDER", ex.getMessage());
		problem.setProperty("order_id", ex.getOrderId());
		return ResponseEntity.of(problem).build();
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> insufficientStock(InsufficientStockException ex) {
		ProblemDetail problem = problem(HttpStatus.CONFLICT, "Insufficient stock", "INSUFFICIENT_STOCK",
				ex.getMessage());
		problem.setProperty("requested", ex.getRequested());
		problem.setProperty("available", ex.getAvailable());
		return ResponseEntity.of(problem).build();
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> lockNotAcquired(LockNotAcquiredException ex) {
		boolean unavailable = ex instanceof LockBackendUnavailableException;
		ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE,
				unavailable ? "Lock service unavailable" : "Item busy",
				unavailable ? "LOCK_BACKEND_UNAVAILABLE" : "LOCK_TIMEOUT", unavailable
						? "The lock service could not be reached; try again later"
						: "The item is being ordered by other requests; try again");
		return retryLater(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> staleLease(StaleLeaseException ex) {
		return retryLater(problem(HttpStatus.SERVICE_UNAVAILABLE, "Lease expired", "STALE_LEASE", ex.getMessage()));
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		String field = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map((error) -> jsonName(error.getField()))
			.sorted()
			.findFirst()
			.orElse(null);
		String detail = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map((error) -> jsonName(error.getField()) + " " + error.getDefaultMessage())
			.sorted()
			.collect(Collectors.joining("; "));
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Invalid order", "INVALID_FIELD", detail);
		problem.setProperty("field", field);
		return ResponseEntity.badRequest().body(problem);
	}

	@Override
	protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ParameterValidationResult first = ex.getParameterValidationResults().get(0);
		String detail = ex.getParameterValidationResults()
			.stream()
			.map((result) -> result.getMethodParameter().getParameterName() + " "
					+ result.getResolvableErrors().get(0).getDefaultMessage())
			.collect(Collectors.joining("; "));
		return ResponseEntity.badRequest()
			.body(invalidParameter(first.getMethodParameter().getParameterName(), detail));
	}

	@Override
	protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String parameter = ex.getPropertyName();
		return ResponseEntity.badRequest()
			.body(invalidParameter(parameter, parameter + " must be "
					+ ((ex.getRequiredType() != null) ? "a valid " + ex.getRequiredType().getSimpleName() : "valid")
					+ " but was '" + ex.getValue() + "'"));
	}

	private static ProblemDetail invalidParameter(String parameter, String detail) {
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Invalid request", "INVALID_PARAMETER", detail);
		problem.setProperty("parameter", parameter);
		return problem;
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		JsonErrors.Fault fault = JsonErrors.of(ex, "{\"item_name\": \"item1\", \"quantity\": 1}");
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST,
				fault.code().equals("INVALID_FIELD") ? "Invalid order" : "Malformed request body", fault.code(),
				fault.detail());
		if (fault.field() != null) {
			problem.setProperty("field", fault.field());
		}
		return ResponseEntity.badRequest().body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> bodyTooLarge(BodyTooLargeException ex) {
		return ResponseEntity.of(problem(HttpStatus.PAYLOAD_TOO_LARGE, "Body too large", "BODY_TOO_LARGE",
				ex.getMessage())).build();
	}

	/**
	 * Spring MVC's own refusals (405, 406, 404 for an unknown path, ...) get a {@code code} too: their status name.
	 */
	@Override
	protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
			WebRequest request) {
		if (body instanceof ProblemDetail problem
				&& (problem.getProperties() == null || !problem.getProperties().containsKey("code"))) {
			HttpStatus status = HttpStatus.resolve(statusCode.value());
			problem.setProperty("code", (status != null) ? status.name() : Integer.toString(statusCode.value()));
		}
		return super.createResponseEntity(body, headers, statusCode, request);
	}

	@Override
	protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		return ResponseEntity.badRequest()
			.body(problem(HttpStatus.BAD_REQUEST, "Unsupported content type", "UNSUPPORTED_CONTENT_TYPE",
					"Content-Type must be application/json but was " + ex.getContentType()));
	}

	private static ResponseEntity<ProblemDetail> retryLater(ProblemDetail problem) {
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()))
			.body(problem);
	}

	private static ProblemDetail problem(HttpStatus status, String title, String code, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		problem.setProperty("code", code);
		return problem;
	}

	/** {@code itemName} → {@code item_name}, as the JSON spells it. */
	private static String jsonName(String field) {
		return field.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
	}

}
