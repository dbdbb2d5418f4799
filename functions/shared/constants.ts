/**
 * Names shared by the functions, the template and whoever reads the data
 * (the test page, the end-to-end tests). Changing one of these is a breaking
 * change for those readers.
 */

/** Hard-coded in every function, as in the original: the template creates it with this name. */
export const CONFIG_TABLE = 'IoTRefArchConfig';
/** The item of {@link CONFIG_TABLE} that the custom resources write. */
export const CONFIG_ENVIRONMENT = 'demo';

/** The namespace the original documentation promises (its code used `Sensors`). */
export const METRIC_NAMESPACE = 'Sensor';
/** One datum per stored reading; the name the original code used. */
export const SENSOR_METRIC_NAME = 'SensorData';
export const SENSOR_DIMENSION = 'SensorId';
/** Count of records the event processor skipped; published once without dimensions and once per `Reason`. */
export const INVALID_EVENTS_METRIC_NAME = 'InvalidEvents';
export const REASON_DIMENSION = 'Reason';
