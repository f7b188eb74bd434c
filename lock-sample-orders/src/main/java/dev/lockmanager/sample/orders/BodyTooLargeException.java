package dev.lockmanager.sample.orders;

import org.springframework.util.unit.DataSize;

/**
 * A request body over {@code orders.max-body-size}, found before or while it is read.
 */
class BodyTooLargeException extends RuntimeException {

	BodyTooLargeException(DataSize limit) {
		super("The body must be at most " + limit.toBytes() + " bytes");
	}

}
