export { parseRoutesFile, RoutesFileError, WEEKDAYS, type RoutesFile, type Route, type ChannelConfig } from './routes-file.js';
export { AlertRouter, alertSeverity, localTime, reachedChannels, type Decision } from './route-alert.js';
export { alertEmail, acknowledgeUrl, loadAlertContext, type AlertContext } from './alert-message.js';
export { buildChannels, emailNotifier, teamsNotifier, alertmanagerNotifier, ChannelConfigError } from './channels.js';
export { routingReport } from './routing-report.js';
export { AlertDispatcher } from './alert-dispatcher.js';
export { createNotifierService, configuredRoutes } from './service.js';
