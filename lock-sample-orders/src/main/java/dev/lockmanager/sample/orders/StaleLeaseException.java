package dev.lockmanager.sample.orders;

/**
 * The database refused this request's lease: a lease with a newer fencing token claimed the stock row already, so
 * this one had expired. The transaction rolls back; the client may retry.
 */
public class StaleLeaseException extends RuntimeException {

	public StaleLeaseException(String itemName, long fencingToken) {
		super("The stock of '" + itemName + "' was claimed by a newer lease than this one (fencing token "
				+ fencingToken + "); nothing was changed");
	}

}
