// `yo chalice-pipeline` (alias chalice-pipeline:app): a new Chalice repository that deploys itself.
import { ChaliceGenerator } from '../../lib/run/chalice-generator.js';

export default class AppGenerator extends ChaliceGenerator {
  protected readonly kind = 'app';
}
