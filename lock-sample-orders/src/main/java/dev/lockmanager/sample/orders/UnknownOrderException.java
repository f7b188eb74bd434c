package dev.lockmanager.sample.orders;

/**
 * No order with that id exists.
 */
public class UnknownOrderException extends RuntimeException {

	private final long orderId;

	public UnknownOrderException(long orderId) {
		super("No order with id " + orderId);
		this.orderId = orderId;
	}

	public long getOrderId() {
		return this.orderId;
	}

}
