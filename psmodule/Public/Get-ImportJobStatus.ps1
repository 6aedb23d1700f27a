function Get-ImportJobStatus {
    <#
    .SYNOPSIS
    Gets the state of an import job and its drives, and what went wrong when a drive did not import cleanly.

    .DESCRIPTION
    Reports the import job of a seed (-StagingPath), or any import job (-JobName and -ResourceGroupName),
    on Azure Data Box or Azure Import/Export: the job state in the same words for both (Created,
    Shipping, Received, Transferring, Packaging, Completed, CompletedWithErrors, Cancelled, Failed) with
    the service's own state beside it (ServiceState), the percent complete and bytes imported, and for
    each drive its state, copy status, percent, bytes and the addresses of its logs.

    For a drive that did not copy cleanly, the cmdlet reads its error log (Import/Export) or copy log
    (Data Box, container databoxcopylog) from the storage account
    (this needs read access to the diagnostics container: the identity in use, or -StorageAccountKey,
    -SasToken or -StorageAccessToken) and lists every blob that did not import, with the block or file
    that failed, in FailedBlobs and as warnings.

    While the drives travel or are copied, the result says the seed waits for the import. With
    -StagingPath the seed follows the job: once the job is Completed (or Closed with every drive
    Completed) the seed moves to Imported and Complete-OfflineSeed is the next step.

    .PARAMETER StagingPath
    Staging location of the seed whose job to report.

    .PARAMETER SeedUri
    The published seed (Publish-OfflineSeed's SeedUri, azure://<account>/<container>/<prefix>): the job
    comes from its published descriptor, and the seed there follows the job (Shipped, Imported) as it
    does in a staging location. For runbooks with no local state.

    .PARAMETER JobName
    Name of the import job, to report a job without its staging location (with -ResourceGroupName).

    .PARAMETER ResourceGroupName
    Resource group of the job.

    .PARAMETER SubscriptionId
    Azure subscription of the job. Default: the one the seed recorded.

    .PARAMETER PublishSettingsFile
    Legacy Azure publish settings file, read only for the subscription id.

    .PARAMETER ControlPlane
    The Azure control plane of the job: DataBox (a customer-disk job of Azure Data Box, SKU
    DataBoxCustomerDisk, listed under Data Box in the portal) or ImportExport (a classic Azure
    Import/Export job). Default: where the seed's job was created; for a job given by -JobName, the cmdlet looks it up (Data Box first, then Import/Export).

    .PARAMETER NoLogs
    Do not read the error logs of drives that did not import cleanly.

    .PARAMETER Environment
    Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

    .PARAMETER CredentialProfile
    Name of a credential profile saved by New-OfflineSeedCredential: sign in as its application with its
    certificate (tenant, client id and certificate come from the profile).

    .PARAMETER TenantId
    Entra tenant of the service principal.

    .PARAMETER ClientId
    Application (client) id of the service principal.

    .PARAMETER ClientSecret
    Client secret of the service principal, as a SecureString.

    .PARAMETER CertificatePath
    PEM certificate (with its key) of the service principal.

    .PARAMETER AccessToken
    Azure Resource Manager access token, as a SecureString (Get-AzAccessToken).

    .PARAMETER StorageAccessToken
    Storage access token, as a SecureString, to read the error logs (Get-AzAccessToken -ResourceTypeName Storage).

    .PARAMETER StorageAccountKey
    Storage account key, as a SecureString, to read the error logs.

    .PARAMETER SasToken
    SAS token of the diagnostics container, as a SecureString, to read the error logs.

    .EXAMPLE
    Get-ImportJobStatus -StagingPath F:\Staging

    Shows the seed's import job and drives; once the job is Completed the seed is Imported.

    .EXAMPLE
    Get-ImportJobStatus -JobName fs01-seed -ResourceGroupName rg-backup -SubscriptionId 00000000-0000-0000-0000-000000000000 |
        Select-Object -ExpandProperty FailedBlobs

    Lists the blobs the service could not import, from the drives' error logs.

    .INPUTS
    System.Management.Automation.PSObject. Objects with StagingPath, or JobName and ResourceGroup
    properties, such as OfflineSeed.Seed or OfflineSeed.ImportJob objects, bind by property name.

    .OUTPUTS
    OfflineSeed.ImportJobStatus

    .NOTES
    The service aims to copy the drives within 7 to 10 days after it receives them; run the cmdlet again
    from time to time (it is safe in scheduled tasks and runbooks).

    .LINK
    about_OfflineSeed

    .LINK
    Update-ImportShipping

    .LINK
    Complete-OfflineSeed
    #>
    [CmdletBinding(DefaultParameterSetName = 'Seed')]
    [OutputType('OfflineSeed.ImportJobStatus')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'Seed')]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'SeedUri')]
        [ValidatePattern('^azure://')]
        [string] $SeedUri,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Job')]
        [ValidateLength(2, 64)]
        [ValidatePattern('^[a-z][a-z0-9-]*$', Options = 'None')]
        [string] $JobName,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Job')]
        [Alias('ResourceGroup')]
        [ValidateNotNullOrEmpty()]
        [string] $ResourceGroupName,

        [Parameter(ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [string] $SubscriptionId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PublishSettingsFile,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateSet('DataBox', 'ImportExport')]
        [string] $ControlPlane,

        [Parameter()]
        [switch] $NoLogs,

        [Parameter()]
        [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')]
        [string] $Environment,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ClientId,

        [Parameter()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath,

        [Parameter()]
        [System.Security.SecureString] $AccessToken,

        [Parameter()]
        [System.Security.SecureString] $StorageAccessToken,

        [Parameter()]
        [System.Security.SecureString] $StorageAccountKey,

        [Parameter()]
        [System.Security.SecureString] $SasToken
    )

    process {
        $params = @{}
        if ($PSCmdlet.ParameterSetName -eq 'Seed') {
            $params['stagingPath'] = Resolve-OfflineSeedPath -Path $StagingPath
        } elseif ($PSCmdlet.ParameterSetName -eq 'SeedUri') {
            $params['seedUri'] = $SeedUri
        } else {
            $params['jobName'] = $JobName
            $params['resourceGroup'] = $ResourceGroupName
        }
        if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $params['subscriptionId'] = $SubscriptionId }
        if ($PSBoundParameters.ContainsKey('PublishSettingsFile')) { $params['publishSettingsFile'] = Resolve-OfflineSeedPath -Path $PublishSettingsFile }
        if (-not [string]::IsNullOrEmpty($ControlPlane)) { $params['controlPlane'] = $ControlPlane }
        if ($NoLogs) { $params['readLogs'] = $false }
        if ($PSBoundParameters.ContainsKey('AccessToken')) { $params['accessToken'] = $AccessToken }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters
        # One job that cannot be read must not stop the others on the pipeline.
        Invoke-OfflineSeedEngine -Command 'job.status' -Parameters $params -Cmdlet $PSCmdlet -FailureIsNonTerminating
    }
}
